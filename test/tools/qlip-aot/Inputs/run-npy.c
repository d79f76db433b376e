/* Runs a function compiled by `qlip-aot --name model` that takes one f32
 * tensor and returns one: reads the input from an .npy file (version 1,
 * little-endian f32, C order, with the function's element count), calls
 * the function and writes the result as an .npy file.
 *
 *   run-npy in.npy out.npy
 *
 * Built with -DQLIP_THREADS=N, it first sets the kernels' thread count.
 */

#include "model.h"
#ifdef QLIP_THREADS
#include "qlip/Kernels/Kernels.h"
#endif

#include <stdio.h>
#include <string.h>

static int fail(const char *message) {
  fprintf(stderr, "run-npy: %s\n", message);
  return 1;
}

int main(int argc, char **argv) {
  static float input[MODEL_INPUT0_SIZE];
  static float output[MODEL_OUTPUT0_SIZE];
  static const int64_t shape[] = MODEL_OUTPUT0_SHAPE;
  unsigned char prefix[10];
  char header[128];
  size_t length, used, i;
  FILE *file;
  if (argc != 3)
    return fail("usage: run-npy in.npy out.npy");
#ifdef QLIP_THREADS
  qlip_set_num_threads(QLIP_THREADS);
  if (qlip_get_num_threads() != QLIP_THREADS)
    return fail("qlip_set_num_threads did not take");
#endif

  file = fopen(argv[1], "rb");
  if (!file || fread(prefix, 1, 10, file) != 10 ||
      memcmp(prefix, "\x93NUMPY\x01\x00", 8) != 0)
    return fail("the input is not a version 1 .npy file");
  /* Skip the header (its length is little-endian); the data follows. */
  length = prefix[8] | (size_t)prefix[9] << 8;
  if (fseek(file, (long)length, SEEK_CUR) != 0 ||
      fread(input, sizeof(float), MODEL_INPUT0_SIZE, file) !=
          MODEL_INPUT0_SIZE ||
      fgetc(file) != EOF)
    return fail("the input does not hold the function's f32 elements");
  fclose(file);

  if (model(input, output) != 0)
    return fail("the model failed");

  /* The header: magic, version 1.0, length, then the dictionary padded with
   * spaces and a newline to a multiple of 64 bytes. */
  used = (size_t)snprintf(header, sizeof(header),
                          "{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (");
  for (i = 0; i < MODEL_OUTPUT0_RANK; ++i)
    used += (size_t)snprintf(header + used, sizeof(header) - used, "%lld, ",
                             (long long)shape[i]);
  used += (size_t)snprintf(header + used, sizeof(header) - used, "), }");
  length = (used + 10 + 1 + 63) / 64 * 64 - 10;
  memset(header + used, ' ', length - used - 1);
  header[length - 1] = '\n';
  prefix[8] = (unsigned char)(length & 0xff);
  prefix[9] = (unsigned char)(length >> 8);
  file = fopen(argv[2], "wb");
  if (!file || fwrite(prefix, 1, 10, file) != 10 ||
      fwrite(header, 1, length, file) != length ||
      fwrite(output, sizeof(float), MODEL_OUTPUT0_SIZE, file) !=
          MODEL_OUTPUT0_SIZE ||
      fclose(file) != 0)
    return fail("cannot write the output");
  return 0;
}
