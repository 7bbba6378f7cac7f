// Decimal numbers as C2SP tlog-checkpoint, tlog-tiles and tlog-witness spell them: ASCII digits,
// no sign, no leading zeros ("0" itself excepted).
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Whether `text` is such a decimal, of at most `maxDigits` digits (an HTTP API caps it). */
export function isDecimal(text: string, maxDigits = Infinity): boolean {
  return text.length <= maxDigits && DECIMAL.test(text);
}
