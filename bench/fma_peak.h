/* fma_peak.h — the machine's FP32 FMA peak (and int8 VNNI peak) on one core, measured by
 * micro-benchmarks (independent chains in registers, the widest vector ISA the CPU has),
 * for benchmarks that report a rate as a fraction of the peak. */
#ifndef MPB_BENCH_FMA_PEAK_H
#define MPB_BENCH_FMA_PEAK_H

/* Single-thread FP32 GFLOP/s (an FMA counts 2 FLOP) over about 'seconds' of work;
 * *isa (may be NULL) names the vector width used: "avx512", "avx2+fma" or "scalar". */
double fma_peak_gflops(double seconds, const char **isa);
/* Single-thread int8 GOP/s of vpdpbusd (AVX-512 VNNI; a multiply-add counts 2 ops), the
 * ceiling of an int8 GEMM; 0 when the CPU lacks AVX-512 VNNI. */
double int8_peak_gops(double seconds);

#endif
