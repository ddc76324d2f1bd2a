"""Correctly rounded float32 values of exp(-a), log1p(y) and log(u), with mpmath at 100 bits.

Reads JSON {"exp_neg": [...], "log1p": [...], "log": [...]} (float32 values as numbers) on stdin,
writes the same keys with the results (floats; 0 for underflow) on stdout. Used by
src/simd/simd-math.test.ts to measure the SIMD kernels' errors in float32 ulps.
"""
import json
import struct
import sys

import mpmath

mpmath.mp.prec = 100


def to_float32(value):
    # mpmath -> nearest double (53 bits, far more than float32's 24) -> nearest float32; the double
    # rounding can only matter for exact float32 midpoints, which exp/log of float32 never hit.
    return struct.unpack('f', struct.pack('f', float(value)))[0]


request = json.load(sys.stdin)
result = {
    'exp_neg': [to_float32(mpmath.exp(-mpmath.mpf(a))) for a in request['exp_neg']],
    'log1p': [to_float32(mpmath.log1p(mpmath.mpf(y))) for y in request['log1p']],
    'log': [to_float32(mpmath.log(mpmath.mpf(u))) for u in request['log']],
}
json.dump(result, sys.stdout)
