/* Calls qlip_types (types.mlir, every element type of the C API) and
 * qlip_constant (no input) and prints what they return. */

#include "constant.h"
#include "types.h"

#include <stdio.h>

int main(void) {
  const double a = -2.5;
  const bool b[QLIP_TYPES_INPUT1_SIZE] = {true, false, false, true};
  const uint8_t c[QLIP_TYPES_INPUT2_SIZE] = {0, 255};
  const int16_t d[QLIP_TYPES_INPUT3_SIZE] = {-32768, 0, 32767};
  const int64_t e[QLIP_TYPES_INPUT4_SIZE] = {INT64_MIN, INT64_MAX};
  int64_t e2[QLIP_TYPES_OUTPUT0_SIZE];
  int16_t d2[QLIP_TYPES_OUTPUT1_SIZE];
  uint8_t c2[QLIP_TYPES_OUTPUT2_SIZE];
  bool b2[QLIP_TYPES_OUTPUT3_SIZE];
  double a2;
  float k[QLIP_CONSTANT_OUTPUT0_SIZE];
  if (qlip_types(&a, b, c, d, e, e2, d2, c2, b2, &a2) != 0 ||
      qlip_constant(k) != 0)
    return 1;
  printf("f64 %g\n", a2);
  printf("i1 %d %d %d %d\n", b2[0], b2[1], b2[2], b2[3]);
  printf("ui8 %u %u\n", c2[0], c2[1]);
  printf("i16 %d %d %d\n", d2[0], d2[1], d2[2]);
  printf("i64 %lld %lld\n", (long long)e2[0], (long long)e2[1]);
  printf("constant %g %g\n", k[0], k[1]);
  return 0;
}
