;; The inner-product kernel of dot.ts (WebAssembly with SIMD). Built with wabt 1.0.39:
;;   npx -y wabt@1.0.39 wat2wasm dot.wat -o dot.wasm   (then base64 into dot-wasm.ts)
(module
  (memory (export "memory") 1)
  ;; Σ a_k·b_k mod 2^61 − 1 over n little-endian u64 words at pa and pb (each below p; n even),
  ;; two lanes at a time. Per lane, with a = ah·2^32 + al and b = bh·2^32 + bl:
  ;;   al·bl < 2^64, folded as (x & p) + (x >> 61);
  ;;   (ah·bl + al·bh)·2^32 ≡ (c >> 29) + (c & (2^29 − 1))·2^32, since 2^61 ≡ 1;
  ;;   ah·bh·2^64 ≡ ah·bh·2^3;
  ;; the accumulator is folded below 2^61 + 8 before each term (< 2^63 + 2^35 with it).
  (func (export "dot") (param $pa i32) (param $pb i32) (param $n i32) (result i64)
    (local $end i32) (local $a v128) (local $b v128) (local $al v128) (local $ah v128) (local $bl v128) (local $bh v128)
    (local $acc v128) (local $t v128) (local $c v128) (local $lo32 v128) (local $p v128) (local $m29 v128) (local $s i64)
    (local.set $lo32 (i64x2.splat (i64.const 0xffffffff)))
    (local.set $p (i64x2.splat (i64.const 0x1fffffffffffffff)))
    (local.set $m29 (i64x2.splat (i64.const 0x1fffffff)))
    (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
        (local.set $a (v128.load (local.get $pa)))
        (local.set $b (v128.load (local.get $pb)))
        (local.set $al (v128.and (local.get $a) (local.get $lo32)))
        (local.set $ah (i64x2.shr_u (local.get $a) (i32.const 32)))
        (local.set $bl (v128.and (local.get $b) (local.get $lo32)))
        (local.set $bh (i64x2.shr_u (local.get $b) (i32.const 32)))
        (local.set $t (i64x2.mul (local.get $al) (local.get $bl)))
        (local.set $t (i64x2.add (v128.and (local.get $t) (local.get $p)) (i64x2.shr_u (local.get $t) (i32.const 61))))
        (local.set $c (i64x2.add (i64x2.mul (local.get $ah) (local.get $bl)) (i64x2.mul (local.get $al) (local.get $bh))))
        (local.set $t (i64x2.add (local.get $t) (i64x2.add (i64x2.shr_u (local.get $c) (i32.const 29)) (i64x2.shl (v128.and (local.get $c) (local.get $m29)) (i32.const 32)))))
        (local.set $t (i64x2.add (local.get $t) (i64x2.shl (i64x2.mul (local.get $ah) (local.get $bh)) (i32.const 3))))
        (local.set $acc (i64x2.add (i64x2.add (v128.and (local.get $acc) (local.get $p)) (i64x2.shr_u (local.get $acc) (i32.const 61))) (local.get $t)))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
        (br $next)))
    (local.set $acc (i64x2.add (v128.and (local.get $acc) (local.get $p)) (i64x2.shr_u (local.get $acc) (i32.const 61))))
    (local.set $s (i64.add (i64x2.extract_lane 0 (local.get $acc)) (i64x2.extract_lane 1 (local.get $acc))))
    (local.set $s (i64.add (i64.and (local.get $s) (i64.const 0x1fffffffffffffff)) (i64.shr_u (local.get $s) (i64.const 61))))
    (local.set $s (i64.add (i64.and (local.get $s) (i64.const 0x1fffffffffffffff)) (i64.shr_u (local.get $s) (i64.const 61))))
    (select (i64.sub (local.get $s) (i64.const 0x1fffffffffffffff)) (local.get $s)
      (i64.ge_u (local.get $s) (i64.const 0x1fffffffffffffff))))
)
