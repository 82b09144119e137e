/*
 * Monte Carlo kernels of the CUDA engine (montecarlo/engine_cuda.py), one per model family.
 *
 * The same file is CUDA C++ for nvcc/NVRTC (cupy.RawModule) and C99 for the host compiler
 * (a shared library loaded with ctypes, which the default test suite checks against the
 * NumPy engine). Under __CUDACC__ a chain is a thread; on the host the chains are a loop.
 * Everything a chain does is the NumPy engine's (montecarlo/engine_numpy.py) step for step:
 *
 *   - the site of step `step` of sweep `sw` is sites[sw * N + step] (shared by all chains);
 *   - its uniform is number w = (sweep0 + sw) * N + step of the chain's Philox4x64-10 stream
 *     (assoc/philox.py): 32-bit half w % 2 of word (w / 2) % 4 of the block with counter
 *     w / 8 + 1, keyed by the chain's two key words;
 *   - the energy change is the integer x = s_i h_i - c_i (pairwise: h_i = sum_mu xi^mu_i M_mu,
 *     c_i = sum_mu (xi^mu_i)^2; dense: h_i = sum_mu xi^mu_i A(M_mu), c = sum_mu B(M_mu));
 *   - the spin flips iff x < t(h), decided from the chain's threshold table
 *     (montecarlo/thresholds.py) and, between its grid points, from t(h) itself through the
 *     portable logarithm (montecarlo/variates.py), bit for bit: compile without contracted
 *     multiply-adds (nvcc --fmad=false, gcc -ffp-contract=off).
 *
 * Layout (C = S R chains, chain c = s R + r of sample s): overlaps M[k C + c] and spins
 * spins[i C + c] chain-minor, so that consecutive threads read consecutive words; the
 * patterns site-major per sample, XS[(s N + i) Kp + k], int8: the chains of one sample in a
 * warp read the same row (one broadcast). With `use_shared` a block copies its chains'
 * overlaps into shared memory (column tid, stride blockDim) for the whole call: no thread
 * touches another's column, so no barrier is needed and the host build runs the same code
 * with stride C.
 */

#ifdef __CUDACC__
#define KERNEL extern "C" __global__
#define DEVICE static __device__ __forceinline__
#else
#include <math.h>
#include <string.h>
#define KERNEL
#define DEVICE static inline
#endif

typedef signed char i8;
typedef int i32;
typedef long long i64;
typedef unsigned int u32;
typedef unsigned long long u64;

#define PHILOX_M0 0xD2E7470EE14C6C93ULL
#define PHILOX_M1 0xCA5A826395121157ULL
#define PHILOX_W0 0x9E3779B97F4A7C15ULL
#define PHILOX_W1 0xBB67AE8584CAA73BULL

DEVICE u64 mulhi64(u64 a, u64 b)
{
#ifdef __CUDACC__
    return __umul64hi(a, b);
#else
    return (u64)(((unsigned __int128)a * b) >> 64);
#endif
}

/* The four words of Philox4x64-10 of counter (ctr, 0, 0, 0) and key (k0, k1). */
DEVICE void philox_block(u64 ctr, u64 k0, u64 k1, u64 *w0, u64 *w1, u64 *w2, u64 *w3)
{
    u64 c0 = ctr, c1 = 0, c2 = 0, c3 = 0;
    for (int r = 0; r < 10; r++) {
        if (r) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        u64 hi0 = mulhi64(c0, PHILOX_M0), lo0 = c0 * PHILOX_M0;
        u64 hi1 = mulhi64(c2, PHILOX_M1), lo1 = c2 * PHILOX_M1;
        u64 n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    *w0 = c0;
    *w1 = c1;
    *w2 = c2;
    *w3 = c3;
}

/* The Philox words a chain holds: the block of counter `ctr` (-1: none yet). */
typedef struct {
    u64 w0, w1, w2, w3;
    i64 ctr;
} Block;

/* 32-bit half h' = h ^ mask of uniform w (mask 2^32 - 1 for Metropolis), drawing its block. */
DEVICE u64 half_of(Block *b, i64 w, u64 k0, u64 k1, int metropolis)
{
    i64 ctr = (w >> 3) + 1;
    if (b->ctr != ctr) {
        philox_block((u64)ctr, k0, k1, &b->w0, &b->w1, &b->w2, &b->w3);
        b->ctr = ctr;
    }
    int j = (int)((w >> 1) & 3);
    u64 word = j == 0 ? b->w0 : j == 1 ? b->w1 : j == 2 ? b->w2 : b->w3;
    u64 h = (word >> (32 * (w & 1))) & 0xFFFFFFFFULL;
    return metropolis ? h ^ 0xFFFFFFFFULL : h;
}

/* fdlibm's log(2^k (1 + f)), 1 + f in [sqrt(1/2), sqrt(2)): montecarlo/variates.py, same order. */
DEVICE double log_reduced(double f, double k)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01;
    const double lg3 = 2.857142874366239149e-01, lg4 = 2.222219843214978396e-01;
    const double lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01;
    const double lg7 = 1.479819860511658591e-01;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (lg2 + w * (lg4 + w * lg6));
    double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
}

DEVICE double portable_log(double x)
{
    int e;
    double m = frexp(x, &e); /* exact: x = m 2^e, m in [1/2, 1) */
    if (m < 0.7071067811865476) {
        m = 2.0 * m;
        e -= 1;
    }
    return log_reduced(m - 1.0, (double)e);
}

/* The NumPy engine's integer threshold t(h) (unclipped), T > 0. */
DEVICE double exact_threshold(u64 h, double C, int metropolis)
{
    double u = ((double)h + 0.5) * 2.3283064365386963e-10; /* 2^-32 */
    double t = metropolis ? -portable_log(1.0 - u) : portable_log((1.0 - u) / u);
    return ceil(t * C);
}

/* The chain's threshold table: x < lo flips, x >= hi does not (montecarlo/thresholds.py). */
typedef struct {
    i64 lo, hi, off;
    int shift, metropolis;
    double C;
    u64 k0, k1;
    const u32 *H;
} Table;

/* Whether energy change x flips at uniform w: exactly the NumPy engine's x < t(h). */
DEVICE int decide(i64 x, i64 w, const Table *tb, Block *b)
{
    if (x < tb->lo)
        return 1;
    if (x >= tb->hi)
        return 0;
    u64 hp = half_of(b, w, tb->k0, tb->k1, tb->metropolis);
    i64 j = (x - tb->lo) >> tb->shift;
    if (tb->shift == 0)
        return hp < tb->H[tb->off + j];
    if (hp < tb->H[tb->off + j + 1])
        return 1;
    if (hp >= tb->H[tb->off + j])
        return 0;
    u64 h = tb->metropolis ? hp ^ 0xFFFFFFFFULL : hp;
    return (double)x < exact_threshold(h, tb->C, tb->metropolis);
}

DEVICE Table chain_table(int c, const u64 *keys, const i64 *c_lo, const i64 *c_hi,
                         const i64 *c_shift, const i64 *c_off, const u32 *H, const double *c_C,
                         int metropolis)
{
    Table tb;
    tb.lo = c_lo[c];
    tb.hi = c_hi[c];
    tb.off = c_off[c];
    tb.shift = (int)c_shift[c];
    tb.metropolis = metropolis;
    tb.C = c_C[c];
    tb.k0 = keys[2 * c];
    tb.k1 = keys[2 * c + 1];
    tb.H = H;
    return tb;
}

/* Four consecutive int8 pattern entries as one word (little-endian: entry j is byte j). */
DEVICE u32 load4(const i8 *p)
{
#ifdef __CUDACC__
    return *(const u32 *)p;
#else
    u32 v;
    memcpy(&v, p, 4);
    return v;
#endif
}

DEVICE i32 byte_of(u32 v, int j)
{
    return (i32)(i8)(unsigned char)(v >> (8 * j));
}

/*
 * Pairwise chains (P = 2: Hopfield, multitasking and example couplings as integer patterns).
 * Mc: this chain's overlaps, stride `ms` between patterns; `wide`: fields summed in int64.
 */
DEVICE void pairwise_chain(int c, int N, int K, int Kp, int C, int R, const i8 *XS,
                           const i64 *cS, i32 *Mc, int ms, i8 *spins, Table tb, i64 sweep0,
                           const i64 *sites, int n_sweeps, int wide)
{
    int s = c / R;
    Block b;
    b.ctr = -1;
    for (int sw = 0; sw < n_sweeps; sw++) {
        i64 base = (sweep0 + sw) * (i64)N;
        for (int step = 0; step < N; step++) {
            i64 i = sites[(i64)sw * N + step];
            const i8 *row = XS + ((i64)s * N + i) * Kp;
            i64 h;
            if (wide) {
                h = 0;
                for (int k = 0; k < K; k++)
                    h += (i64)row[k] * (i64)Mc[(i64)k * ms];
            } else { /* four pattern entries a load (rows are 16-byte aligned) */
                i32 h32 = 0;
                int k = 0;
                for (; k + 4 <= K; k += 4) {
                    u32 v = load4(row + k);
                    h32 += byte_of(v, 0) * Mc[(i64)k * ms] + byte_of(v, 1) * Mc[(i64)(k + 1) * ms]
                           + byte_of(v, 2) * Mc[(i64)(k + 2) * ms]
                           + byte_of(v, 3) * Mc[(i64)(k + 3) * ms];
                }
                for (; k < K; k++)
                    h32 += (i32)row[k] * Mc[(i64)k * ms];
                h = h32;
            }
            i8 si = spins[i * C + c];
            i64 x = (i64)si * h - cS[(i64)s * N + i];
            if (decide(x, base + step, &tb, &b)) {
                spins[i * C + c] = (i8)-si;
                i32 u = -2 * (i32)si;
                for (int k = 0; k < K; k++)
                    Mc[(i64)k * ms] += u * (i32)row[k];
            }
        }
    }
}

/*
 * Dense P-spin chains: x = s_i sum_mu xi^mu_i A(M_mu) - sum_mu B(M_mu), with D A and D B the
 * integer polynomials cA, cB (highest power first; D = (P - 1)!, exact in float64 below
 * 2^53, as montecarlo/engine_compiled.py checks). A flip moves the overlaps of its site and
 * re-evaluates their A and B.
 */
DEVICE void dense_chain(int c, int N, int K, int Kp, int C, int R, const i8 *XS, i32 *M,
                        i64 *A, i64 *B, i64 *SB, const double *cA, int nA, const double *cB,
                        int nB, double D, i8 *spins, Table tb, i64 sweep0, const i64 *sites,
                        int n_sweeps)
{
    int s = c / R;
    Block b;
    b.ctr = -1;
    i64 sb = SB[c];
    for (int sw = 0; sw < n_sweeps; sw++) {
        i64 base = (sweep0 + sw) * (i64)N;
        for (int step = 0; step < N; step++) {
            i64 i = sites[(i64)sw * N + step];
            const i8 *row = XS + ((i64)s * N + i) * Kp;
            i64 h = 0;
            for (int k = 0; k < K; k++)
                h += (i64)row[k] * A[(i64)k * C + c];
            i8 si = spins[i * C + c];
            i64 x = (i64)si * h - sb;
            if (!decide(x, base + step, &tb, &b))
                continue;
            spins[i * C + c] = (i8)-si;
            for (int k = 0; k < K; k++) {
                i64 at = (i64)k * C + c;
                i32 m = M[at] - 2 * (i32)si * (i32)row[k];
                M[at] = m;
                double fa = cA[0], fb = cB[0];
                for (int q = 1; q < nA; q++)
                    fa = fa * (double)m + cA[q];
                for (int q = 1; q < nB; q++)
                    fb = fb * (double)m + cB[q];
                i64 nb = (i64)(fb / D); /* exact quotients: D divides both */
                A[at] = (i64)(fa / D);
                sb += nb - B[at];
                B[at] = nb;
            }
        }
    }
    SB[c] = sb;
}

/* The chains of the grid: thread c on the device, a loop on the host. */
#ifdef __CUDACC__
#define FOR_EACH_CHAIN(c, C) for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < (C); c = (C))
#else
#define FOR_EACH_CHAIN(c, C) for (int c = 0; c < (C); c++)
#endif

/* The overlaps chain c works on, stride *ms: its column of M, or (device, use_shared) a copy
 * in the block's shared memory, column threadIdx.x. */
DEVICE i32 *chain_overlaps(i32 *M, int c, int C, int K, int use_shared, int *ms)
{
#ifdef __CUDACC__
    if (use_shared) {
        extern __shared__ i32 shared_M[];
        i32 *Mc = shared_M + threadIdx.x;
        *ms = blockDim.x;
        for (int k = 0; k < K; k++)
            Mc[k * *ms] = M[(i64)k * C + c];
        return Mc;
    }
#else
    (void)use_shared;
    (void)K;
#endif
    *ms = C;
    return M + c;
}

/* Writes a shared-memory copy of the overlaps back to chain c's column of M. */
DEVICE void store_overlaps(i32 *M, const i32 *Mc, int c, int C, int K, int ms)
{
    if (Mc != M + c)
        for (int k = 0; k < K; k++)
            M[(i64)k * C + c] = Mc[k * ms];
}

KERNEL void mc_pairwise(const i8 *XS, const i64 *cS, int S, int R, int N, int K, int Kp,
                        i32 *M, i8 *spins, const u64 *keys, const i64 *c_lo, const i64 *c_hi,
                        const i64 *c_shift, const i64 *c_off, const u32 *H, const double *c_C,
                        int metropolis, i64 sweep0, const i64 *sites, int n_sweeps, int wide,
                        int use_shared)
{
    FOR_EACH_CHAIN(c, S * R) {
        Table tb = chain_table(c, keys, c_lo, c_hi, c_shift, c_off, H, c_C, metropolis);
        int ms;
        i32 *Mc = chain_overlaps(M, c, S * R, K, use_shared, &ms);
        pairwise_chain(c, N, K, Kp, S * R, R, XS, cS, Mc, ms, spins, tb, sweep0, sites,
                       n_sweeps, wide);
        store_overlaps(M, Mc, c, S * R, K, ms);
    }
}

KERNEL void mc_dense(const i8 *XS, int S, int R, int N, int K, int Kp, i32 *M, i64 *A, i64 *B,
                     i64 *SB, const double *cA, int nA, const double *cB, int nB, double D,
                     i8 *spins, const u64 *keys, const i64 *c_lo, const i64 *c_hi,
                     const i64 *c_shift, const i64 *c_off, const u32 *H, const double *c_C,
                     int metropolis, i64 sweep0, const i64 *sites, int n_sweeps)
{
    FOR_EACH_CHAIN(c, S * R) {
        Table tb = chain_table(c, keys, c_lo, c_hi, c_shift, c_off, H, c_C, metropolis);
        dense_chain(c, N, K, Kp, S * R, R, XS, M, A, B, SB, cA, nA, cB, nB, D, spins, tb, sweep0,
                    sites, n_sweeps);
    }
}
