/**
 * JSON checks for the FHIR R4 primitive types. The regular expressions are the ones in the spec
 * (http://hl7.org/fhir/R4/datatypes.html#primitive), anchored.
 */

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

const PATTERNS: Readonly<Record<string, RegExp>> = {
  date: new RegExp(`^${YEAR}(-${MONTH}(-${DAY})?)?$`),
  dateTime: new RegExp(`^${YEAR}(-${MONTH}(-${DAY}(T${TIME}${ZONE})?)?)?$`),
  instant: new RegExp(`^${YEAR}-${MONTH}-${DAY}T${TIME}${ZONE}$`),
  time: new RegExp(`^${TIME}$`),
  code: /^[^\s]+(\s[^\s]+)*$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  uri: /^\S*$/,
  url: /^\S*$/,
  canonical: /^\S*$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  base64Binary: /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/,
};

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Why `value` is not a valid JSON value of the primitive `type`, or undefined when it is.
 * An empty string is never valid: FHIR has no empty elements (json.html).
 */
export function primitiveProblem(type: string, value: unknown): string | undefined {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be a JSON boolean';
    case 'integer':
    case 'unsignedInt':
    case 'positiveInt': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a JSON integer';
      const min = type === 'integer' ? INT32_MIN : type === 'unsignedInt' ? 0 : 1;
      return value < min || value > INT32_MAX ? `must be an integer from ${min} to ${INT32_MAX}` : undefined;
    }
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a JSON number';
    default: {
      if (typeof value !== 'string') return 'must be a JSON string';
      if (value.length === 0) return 'must not be empty';
      const pattern = PATTERNS[type];
      if (pattern && !pattern.test(value)) return `is not a valid ${type}`;
      if (type === 'xhtml' && !value.startsWith('<div')) return 'must be an XHTML <div> element';
      return undefined;
    }
  }
}
