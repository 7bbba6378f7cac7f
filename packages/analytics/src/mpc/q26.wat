;; Small-field kernels of bitwise.ts: elements of q = 2^26 − 5 as little-endian u32 words in linear
;; memory, every input element below q. A product is below 2^52, reduced by i64.rem_u. Compiled
;; before the first call (where a JavaScript loop over a first comparison's 10^5 elements would run
;; interpreted). Built with wabt 1.0.39:
;;   npx -y -p wabt@1.0.39 wat2wasm q26.wat -o q26.wasm   (then base64 into q26-wasm.ts)
(module
  (memory (export "memory") 1)

  ;; Shamir shares on the line through (0, s) and (at, u), at = 1 or 2 (half = 1): r = (u − s)/at;
  ;; the shares s + c·r for the two parties this one computes, c = their indices (cOwn, cOther)
  (func (export "share") (param $s i32) (param $u i32) (param $own i32) (param $other i32) (param $n i32)
        (param $half i32) (param $cOwn i32) (param $cOther i32)
    (local $i i32) (local $end i32) (local $x i32) (local $r i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (i32.load (i32.add (local.get $s) (local.get $i))))
        ;; r = u − s mod q
        (local.set $r (i32.sub (i32.load (i32.add (local.get $u) (local.get $i))) (local.get $x)))
        (if (i32.lt_s (local.get $r) (i32.const 0))
          (then (local.set $r (i32.add (local.get $r) (i32.const 67108859)))))
        (if (local.get $half)
          (then
            (if (i32.and (local.get $r) (i32.const 1))
              (then (local.set $r (i32.add (local.get $r) (i32.const 67108859)))))
            (local.set $r (i32.shr_u (local.get $r) (i32.const 1)))))
        (i32.store (i32.add (local.get $own) (local.get $i))
          (i32.rem_u (i32.add (local.get $x) (i32.mul (local.get $cOwn) (local.get $r))) (i32.const 67108859)))
        (i32.store (i32.add (local.get $other) (local.get $i))
          (i32.rem_u (i32.add (local.get $x) (i32.mul (local.get $cOther) (local.get $r))) (i32.const 67108859)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; a·b mod q, element-wise, to o
  (func (export "mul") (param $a i32) (param $b i32) (param $o i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (i32.store (i32.add (local.get $o) (local.get $i))
          (i32.wrap_i64 (i64.rem_u
            (i64.mul (i64.extend_i32_u (i32.load (i32.add (local.get $a) (local.get $i))))
                     (i64.extend_i32_u (i32.load (i32.add (local.get $b) (local.get $i)))))
            (i64.const 67108859))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; a·c mod q for a constant c < q, in place
  (func (export "scale") (param $a i32) (param $c i32) (param $n i32)
    (local $i i32) (local $end i32) (local $cc i64)
    (local.set $cc (i64.extend_i32_u (local.get $c)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (i32.store (i32.add (local.get $a) (local.get $i))
          (i32.wrap_i64 (i64.rem_u
            (i64.mul (i64.extend_i32_u (i32.load (i32.add (local.get $a) (local.get $i)))) (local.get $cc))
            (i64.const 67108859))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; o + a mod q, element-wise, in o
  (func (export "addto") (param $a i32) (param $o i32) (param $n i32)
    (local $i i32) (local $end i32) (local $x i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (i32.add (i32.load (i32.add (local.get $a) (local.get $i)))
                               (i32.load (i32.add (local.get $o) (local.get $i)))))
        (i32.store (i32.add (local.get $o) (local.get $i))
          (select (i32.sub (local.get $x) (i32.const 67108859)) (local.get $x)
            (i32.ge_u (local.get $x) (i32.const 67108859))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; the low 26 bits of each of m words at raw, those below q kept, to o, at most `want`; how many
  (func (export "elements") (param $raw i32) (param $m i32) (param $o i32) (param $want i32) (result i32)
    (local $i i32) (local $end i32) (local $k i32) (local $x i32)
    (local.set $end (i32.shl (local.get $m) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.ge_u (local.get $k) (local.get $want)))
        (local.set $x (i32.and (i32.load (i32.add (local.get $raw) (local.get $i))) (i32.const 0x3ffffff)))
        (if (i32.lt_u (local.get $x) (i32.const 67108859))
          (then
            (i32.store (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 2))) (local.get $x))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (local.get $k))

  ;; the largest of n words at a (a received vector is checked against q)
  (func (export "max") (param $a i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $x i32) (local $top i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (i32.load (i32.add (local.get $a) (local.get $i))))
        (if (i32.gt_u (local.get $x) (local.get $top)) (then (local.set $top (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (local.get $top))
)
