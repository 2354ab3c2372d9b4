// Build and run: g++ -O3 -march=native -x c++ -o /tmp/flatscan_ref pdq/testdata/flatscan_ref.c && /tmp/flatscan_ref 20
// (BENCHMARKS.md, "Flat scan"). Written for Basira; same licence as the project.
// Flat scan of the PDQ C++ reference (Hash256: 16 uint16 words, hamming
// distance = sum of __builtin_popcount of the xors), 8 queries x 1M.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef struct { uint16_t w[16]; } Hash256;
static int dist(const Hash256 *a, const Hash256 *b) {
  int n = 0;
  for (int i = 0; i < 16; i++) n += __builtin_popcount((uint32_t)(a->w[i] ^ b->w[i]));
  return n;
}
static uint64_t s = 88172645463325252ull;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
int main(int argc, char **argv) {
  int n = 1000000, reps = argc > 1 ? atoi(argv[1]) : 20;
  Hash256 *hs = (Hash256 *)malloc(sizeof(Hash256) * n), qs[8];
  for (int i = 0; i < n; i++) for (int j = 0; j < 16; j++) hs[i].w[j] = rnd();
  for (int k = 0; k < 8; k++) for (int j = 0; j < 16; j++) qs[k].w[j] = rnd();
  long hits = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < n; i++)
      for (int k = 0; k < 8; k++)
        if (dist(&hs[i], &qs[k]) <= 31) hits++;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  double ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / reps;
  printf("cpu-ms/op %.2f hits %ld\n", ms, hits);
  return 0;
}
