"""bench_python.py — the Python package's call overhead against libmpb's batched C API,
measured side by side in one process on the same 1M-element inputs (`make bench`,
bench-python). The C side is the library function itself (mpb_rope_batch, mpb_exp_batch,
mpb_gemm_i8 in the extension's shared object, called once through ctypes with
preallocated outputs); the Python side is the mpbsim call (outputs allocated, operands
broadcast, range-checked and fed in chunks). Repetitions alternate between the two and
the fastest run of each and their ratio are reported. Times are the calling thread's CPU
time (time.thread_time; every call runs in this thread), so other jobs on a shared
machine do not inflate them. Prints numbers; asserts nothing."""
import ctypes
import sys
import time

import numpy as np

import mpbsim
from mpbsim import _mpb

N = 1 << 20
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 21


def ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


def main():
    lib = ctypes.CDLL(_mpb.__file__)
    for name in ("mpb_rope_batch", "mpb_exp_batch", "mpb_gemm_i8"):
        getattr(lib, name).restype = None
    model = mpbsim.Model()
    mdl = model._pointer()  # the same mpb_model the Python calls use
    rng = np.random.default_rng(1)
    m = rng.integers(0, 1 << 17, N, dtype=np.uint32)
    j = rng.integers(0, 64, N, dtype=np.uint32)
    x = rng.integers(-128, 128, N, dtype=np.int32)
    y = rng.integers(-128, 128, N, dtype=np.int32)
    u = rng.integers(-(1 << 23), 1 << 23, N, dtype=np.int32)
    A = rng.integers(-128, 128, (1024, 64), dtype=np.int8)
    B = rng.integers(-128, 128, (1024, 64), dtype=np.int8)  # weight rows (N x K)
    outs = [np.empty(N, np.int32) for _ in range(4)]
    e, mant = np.empty(N, np.int32), np.empty(N, np.uint32)
    C, ev = np.empty((1024, 1024), np.int64), np.empty((1024, 1024), np.uint32)
    n = ctypes.c_size_t(N)

    cases = [
        ("rope (m, j, x, y -> cos, sin, xr, yr)",
         lambda: lib.mpb_rope_batch(ctypes.c_void_p(mdl), n, ptr(m), ptr(j), ptr(x), ptr(y), *map(ptr, outs)),
         lambda: model.rope(m, j, x, y)),
        ("rope_cossin (m, j -> cos, sin)",
         lambda: lib.mpb_rope_batch(ctypes.c_void_p(mdl), n, ptr(m), ptr(j), None, None, ptr(outs[0]), ptr(outs[1]),
                                    None, None),
         lambda: model.rope_cossin(m, j)),
        ("exp2 (u -> e, mant)",
         lambda: lib.mpb_exp_batch(ctypes.c_void_p(mdl), n, ptr(u), ptr(e), ptr(mant)),
         lambda: model.exp2(u)),
        ("gemm 1024x1024x64 (1M outputs)",
         lambda: lib.mpb_gemm_i8(ctypes.c_void_p(mdl), ctypes.c_size_t(1024), ctypes.c_size_t(1024),
                                 ctypes.c_size_t(64), ptr(A), ctypes.c_size_t(64), ptr(B), ctypes.c_size_t(64),
                                 ptr(C), ctypes.c_size_t(1024), ptr(ev)),
         lambda: model.gemm(A, B.T)),
    ]
    # Python calls writing into preallocated outputs, as the C calls do
    po = [np.empty(N, np.int32) for _ in range(4)]
    pe, pm = np.empty(N, np.int32), np.empty(N, np.uint32)
    pC, pev = np.empty((1024, 1024), np.int64), np.empty((1024, 1024), np.uint32)
    cases += [
        ("rope, out= reused", cases[0][1], lambda: model.rope(m, j, x, y, out=tuple(po))),
        ("rope_cossin, out= reused", cases[1][1], lambda: model.rope_cossin(m, j, out=(po[0], po[1]))),
        ("exp2, out= reused", cases[2][1], lambda: model.exp2(u, out=(pe, pm))),
        ("gemm, out= reused", cases[3][1], lambda: model.gemm(A, B.T, out=(pC, pev))),
    ]
    # the two paths compute the same bits (checked once here, exhaustively in the tests)
    cases[0][1]()
    assert np.array_equal(model.rope(m, j, x, y).xr, outs[2])
    cases[3][1]()
    assert np.array_equal(model.gemm(A, B.T).C, C)

    print(f"mpbsim Python call vs libmpb batched C API, {N} elements, ISA {mpbsim.isa_info()['default']}, "
          f"thread CPU time, best of {REPS} alternating runs")
    print(f"  {'operation':40s} {'C ms':>9s} {'Python ms':>10s} {'overhead':>9s}")
    for name, c_call, py_call in cases:
        tc, tp = [], []
        for _ in range(REPS):
            for f, t in ((c_call, tc), (py_call, tp)):
                t0 = time.thread_time()
                f()
                t.append(time.thread_time() - t0)
        c, p = min(tc), min(tp)
        print(f"  {name:40s} {1e3 * c:9.2f} {1e3 * p:10.2f} {100 * (p / c - 1):+8.1f}%")
    # the conversion cost when the caller's dtype is not the kernel's (np.arange: int64)
    m64, j64, x64 = m.astype(np.int64), j.astype(np.int64), x.astype(np.int64)
    t = []
    for _ in range(REPS):
        t0 = time.thread_time()
        model.rope(m64, j64, x64, x64)
        t.append(time.thread_time() - t0)
    print(f"  {'rope with int64 operands (converted)':40s} {'':9s} {1e3 * min(t):10.2f}")


if __name__ == "__main__":
    main()
