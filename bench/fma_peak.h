/* fma_peak.h — the machine's FP32 FMA peak on one core, measured by a micro-benchmark
 * (independent FMA chains in registers, the widest vector ISA the CPU has), for
 * benchmarks that report a FLOP rate as a fraction of the peak. */
#ifndef MPB_BENCH_FMA_PEAK_H
#define MPB_BENCH_FMA_PEAK_H

/* Single-thread FP32 GFLOP/s (an FMA counts 2 FLOP) over about 'seconds' of work;
 * *isa (may be NULL) names the vector width used: "avx512", "avx2+fma" or "scalar". */
double fma_peak_gflops(double seconds, const char **isa);

#endif
