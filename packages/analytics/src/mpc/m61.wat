;; Machine-word kernels of m61.ts (WebAssembly with SIMD): elements of 2^61 − 1 as little-endian
;; u64 words in linear memory; every input word is below p. Built with wabt 1.0.39:
;;   npx -y wabt@1.0.39 wat2wasm m61.wat -o m61.wasm   (then base64 into m61-wasm.ts)
(module
  (memory (export "memory") 1)

  ;; a + b mod p for a, b < p
  (func $add (param $a i64) (param $b i64) (result i64)
    (local $x i64)
    (local.set $x (i64.add (local.get $a) (local.get $b)))
    (select (i64.sub (local.get $x) (i64.const 0x1fffffffffffffff)) (local.get $x)
      (i64.ge_u (local.get $x) (i64.const 0x1fffffffffffffff))))

  ;; x mod p for any x below 2^64: fold 2^61 ≡ 1 twice, then subtract p once if needed
  (func $reduce (param $x i64) (result i64)
    (local.set $x (i64.add (i64.and (local.get $x) (i64.const 0x1fffffffffffffff)) (i64.shr_u (local.get $x) (i64.const 61))))
    (local.set $x (i64.add (i64.and (local.get $x) (i64.const 0x1fffffffffffffff)) (i64.shr_u (local.get $x) (i64.const 61))))
    (select (i64.sub (local.get $x) (i64.const 0x1fffffffffffffff)) (local.get $x)
      (i64.ge_u (local.get $x) (i64.const 0x1fffffffffffffff))))

  ;; Shamir shares on the line through (0, s) and (at, u), at = 1 or 2 (half = 1):
  ;; r = (u − s)/at; shares s + r, s + 2r, s + 3r at o1, o2, o3
  (func (export "share") (param $s i32) (param $u i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
        (param $n i32) (param $half i32)
    (local $i i32) (local $end i32) (local $x i64) (local $r i64) (local $y i64)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (i64.load (i32.add (local.get $s) (local.get $i))))
        (local.set $r (call $add (i64.load (i32.add (local.get $u) (local.get $i)))
                                 (i64.sub (i64.const 0x1fffffffffffffff) (local.get $x))))
        (if (local.get $half)
          (then
            (if (i32.wrap_i64 (i64.and (local.get $r) (i64.const 1)))
              (then (local.set $r (i64.add (local.get $r) (i64.const 0x1fffffffffffffff)))))
            (local.set $r (i64.shr_u (local.get $r) (i64.const 1)))))
        (local.set $y (call $add (local.get $x) (local.get $r)))
        (i64.store (i32.add (local.get $o1) (local.get $i)) (local.get $y))
        (local.set $y (call $add (local.get $y) (local.get $r)))
        (i64.store (i32.add (local.get $o2) (local.get $i)) (local.get $y))
        (i64.store (i32.add (local.get $o3) (local.get $i)) (call $add (local.get $y) (local.get $r)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $next))))

  ;; a·b mod p, element-wise, to o
  (func (export "mul") (param $a i32) (param $b i32) (param $o i32) (param $n i32)
    (local $i i32) (local $end i32) (local $x i64) (local $y i64) (local $xl i64) (local $xh i64)
    (local $yl i64) (local $yh i64) (local $c i64)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (i64.load (i32.add (local.get $a) (local.get $i))))
        (local.set $y (i64.load (i32.add (local.get $b) (local.get $i))))
        (local.set $xl (i64.and (local.get $x) (i64.const 0xffffffff)))
        (local.set $xh (i64.shr_u (local.get $x) (i64.const 32)))
        (local.set $yl (i64.and (local.get $y) (i64.const 0xffffffff)))
        (local.set $yh (i64.shr_u (local.get $y) (i64.const 32)))
        ;; (xh·yl + xl·yh)·2^32 ≡ (c >> 29) + (c & (2^29 − 1))·2^32; xh·yh·2^64 ≡ xh·yh·2^3
        (local.set $c (i64.add (i64.mul (local.get $xh) (local.get $yl)) (i64.mul (local.get $xl) (local.get $yh))))
        (i64.store (i32.add (local.get $o) (local.get $i))
          (call $reduce
            (i64.add
              (i64.add (call $reduce (i64.mul (local.get $xl) (local.get $yl)))
                       (i64.shl (i64.mul (local.get $xh) (local.get $yh)) (i64.const 3)))
              (i64.add (i64.shr_u (local.get $c) (i64.const 29))
                       (i64.shl (i64.and (local.get $c) (i64.const 0x1fffffff)) (i64.const 32))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $next))))

  ;; 3·(h1 − h2) + h3 mod p (degree-2 shares at 1, 2, 3 recombined at 0), to o
  (func (export "recombine") (param $h1 i32) (param $h2 i32) (param $h3 i32) (param $o i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (i64.store (i32.add (local.get $o) (local.get $i))
          (call $reduce
            (i64.add
              (i64.mul (i64.const 3)
                (i64.sub (i64.add (i64.load (i32.add (local.get $h1) (local.get $i))) (i64.const 0x1fffffffffffffff))
                         (i64.load (i32.add (local.get $h2) (local.get $i)))))
              (i64.load (i32.add (local.get $h3) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $next))))

  ;; big-endian ↔ little-endian 64-bit words, n words (rounded up to two) from src to dst
  (func (export "swap") (param $src i32) (param $dst i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $dst) (local.get $i))
          (i8x16.shuffle 7 6 5 4 3 2 1 0 15 14 13 12 11 10 9 8
            (v128.load (i32.add (local.get $src) (local.get $i))) (v128.load (i32.add (local.get $src) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; how many of n words at w are not below p
  (func (export "outside") (param $w i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $bad i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $bad (i32.add (local.get $bad)
          (i64.ge_u (i64.load (i32.add (local.get $w) (local.get $i))) (i64.const 0x1fffffffffffffff))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $next)))
    (local.get $bad))

  ;; the low 61 bits of each of n words at w, in place
  (func (export "low61") (param $w i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (i64.store (i32.add (local.get $w) (local.get $i))
          (i64.and (i64.load (i32.add (local.get $w) (local.get $i))) (i64.const 0x1fffffffffffffff)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $next))))
)
