"""bench_python.py — the Python package's call overhead against libmpb's batched C API,
measured side by side in one process on the same 1M-element inputs (`make bench`,
bench-python). The C side is the library function itself (mpb_rope_batch, mpb_exp_batch,
mpb_gemm_i8 in the extension's shared object, called once through ctypes with
outputs allocated per call like the Python call's, or reused like out=); the Python side
is the mpbsim call (operands broadcast, range-checked and fed in chunks). check=False rows
show the calls without the range checks. Repetitions alternate between the two and
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

    def fresh(*specs):  # outputs allocated per call, as the Python call allocates its own
        return [np.empty(shape, dt) for shape, dt in specs]

    def c_rope(o):
        lib.mpb_rope_batch(ctypes.c_void_p(mdl), n, ptr(m), ptr(j), ptr(x), ptr(y), *map(ptr, o))

    def c_cossin(o):
        lib.mpb_rope_batch(ctypes.c_void_p(mdl), n, ptr(m), ptr(j), None, None, ptr(o[0]), ptr(o[1]), None, None)

    def c_exp(o):
        lib.mpb_exp_batch(ctypes.c_void_p(mdl), n, ptr(u), ptr(o[0]), ptr(o[1]))

    def c_gemm(o):
        k = ctypes.c_size_t
        lib.mpb_gemm_i8(ctypes.c_void_p(mdl), k(1024), k(1024), k(64), ptr(A), k(64), ptr(B), k(64),
                        ptr(o[0]), k(1024), ptr(o[1]))

    i32, u32 = ((N,), np.int32), ((N,), np.uint32)
    cm = (((1024, 1024), np.int64), ((1024, 1024), np.uint32))
    cases = [
        ("rope (m, j, x, y -> cos, sin, xr, yr)", lambda: c_rope(fresh(i32, i32, i32, i32)),
         lambda: model.rope(m, j, x, y)),
        ("rope_cossin (m, j -> cos, sin)", lambda: c_cossin(fresh(i32, i32)), lambda: model.rope_cossin(m, j)),
        ("exp2 (u -> e, mant)", lambda: c_exp(fresh(i32, u32)), lambda: model.exp2(u)),
        ("gemm 1024x1024x64 (1M outputs)", lambda: c_gemm(fresh(*cm)), lambda: model.gemm(A, B.T)),
    ]
    # Python calls writing into preallocated outputs, as the C calls do
    po = [np.empty(N, np.int32) for _ in range(4)]
    pe, pm = np.empty(N, np.int32), np.empty(N, np.uint32)
    pC, pev = np.empty((1024, 1024), np.int64), np.empty((1024, 1024), np.uint32)
    cases += [
        ("rope, outputs reused", lambda: c_rope(outs), lambda: model.rope(m, j, x, y, out=tuple(po))),
        ("rope_cossin, outputs reused", lambda: c_cossin(outs), lambda: model.rope_cossin(m, j, out=(po[0], po[1]))),
        ("exp2, outputs reused", lambda: c_exp((e, mant)), lambda: model.exp2(u, out=(pe, pm))),
        ("gemm, outputs reused", lambda: c_gemm((C, ev)), lambda: model.gemm(A, B.T, out=(pC, pev))),
        ("rope, reused, check=False", lambda: c_rope(outs),
         lambda: model.rope(m, j, x, y, out=tuple(po), check=False)),
        ("exp2, reused, check=False", lambda: c_exp((e, mant)), lambda: model.exp2(u, out=(pe, pm), check=False)),
    ]
    # the two paths compute the same bits (checked once here, exhaustively in the tests)
    c_rope(outs)
    assert np.array_equal(model.rope(m, j, x, y).xr, outs[2])
    c_gemm((C, ev))
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
