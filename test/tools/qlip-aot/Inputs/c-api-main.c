/* Calls two ahead-of-time compiled functions of c-api.mlir, each from its
 * own object, through their headers, and prints the results. Valid C99 and
 * C++. */

#include "conv.h"
#include "sum_max.h"

#include <stdio.h>

int main(void) {
  float x[CONV_INPUT0_SIZE];
  float y[CONV_OUTPUT0_SIZE];
  static const int64_t shape[] = CONV_OUTPUT0_SHAPE;
  int i, h, w, c;
  for (i = 0; i < CONV_INPUT0_SIZE; ++i)
    x[i] = (float)(i + 1);
  if (conv(x, y) != 0)
    return 1;
  printf("conv: rank %d, shape %dx%dx%dx%d, %d bytes\n", CONV_OUTPUT0_RANK,
         (int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3],
         CONV_OUTPUT0_BYTES);
  for (c = 0; c < 2; ++c)
    for (h = 0; h < 4; ++h) {
      printf("c%d:", c);
      for (w = 0; w < 4; ++w)
        printf(" %g", y[(h * 4 + w) * 2 + c]);
      printf("\n");
    }

  {
    const sum_max_input0_t a[SUM_MAX_INPUT0_SIZE] = {-128, -1, 0, 1, 100, 127};
    const sum_max_input1_t b[SUM_MAX_INPUT1_SIZE] = {127, -1, 5, -7, 100, 127};
    sum_max_output0_t sum[SUM_MAX_OUTPUT0_SIZE];
    sum_max_output1_t max[SUM_MAX_OUTPUT1_SIZE];
    if (sum_max(a, b, sum, max) != 0)
      return 1;
    printf("sum:");
    for (i = 0; i < SUM_MAX_OUTPUT0_SIZE; ++i)
      printf(" %d", (int)sum[i]);
    printf("\nmax:");
    for (i = 0; i < SUM_MAX_OUTPUT1_SIZE; ++i)
      printf(" %d", (int)max[i]);
    printf("\n");
    /* A NULL buffer is refused before anything is read or written. */
    max[0] = 42;
    printf("null input: %d, null output: %d, max[0] still %d\n",
           sum_max(a, NULL, sum, max), sum_max(a, b, sum, NULL), (int)max[0]);
  }
  return 0;
}
