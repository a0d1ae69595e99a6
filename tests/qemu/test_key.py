#!/usr/bin/env python3
"""Writes a 2048-bit RSA private key (PKCS#1 PEM) derived from a name.

For tests only: the same name always gives the same key, so the signed FIT
and the control DTB holding its public key are reproducible build outputs
(openssl genrsa would differ on every build). Not for real signing.

usage: test_key.py NAME OUT.pem
"""

import base64
import hashlib
import sys


class Stream:
    """Deterministic bytes: SHA-256 of the name and a counter."""

    def __init__(self, name):
        self.name = name.encode()
        self.counter = 0

    def bits(self, n):
        out = b""
        while len(out) * 8 < n:
            out += hashlib.sha256(self.name + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
        return int.from_bytes(out, "big") >> (len(out) * 8 - n)


SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def probably_prime(n, stream):
    if any(n % p == 0 for p in SMALL_PRIMES):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(40):
        a = 2 + stream.bits(n.bit_length()) % (n - 3)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def prime(bits, e, stream):
    while True:
        # Top two bits set so the product has exactly 2 * bits bits.
        p = stream.bits(bits) | (3 << (bits - 2)) | 1
        if (p - 1) % e != 0 and probably_prime(p, stream):
            return p


def der_length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_integer(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")  # leading zero keeps it positive
    while len(b) > 1 and b[0] == 0 and b[1] < 0x80:
        b = b[1:]
    return b"\x02" + der_length(len(b)) + b


def main():
    name, out = sys.argv[1], sys.argv[2]
    stream = Stream(name)
    e = 65537
    p = prime(1024, e, stream)
    q = prime(1024, e, stream)
    while q == p:
        q = prime(1024, e, stream)
    if p < q:
        p, q = q, p
    n = p * q
    d = pow(e, -1, (p - 1) * (q - 1))
    fields = [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    body = b"".join(der_integer(v) for v in fields)
    der = b"\x30" + der_length(len(body)) + body
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    with open(out, "w") as f:
        f.write("-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n")


main()
