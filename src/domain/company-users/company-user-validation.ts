import type { ExtraField } from './company-user-types.js';

/**
 * Field validation for Company user writes, with DRF-style messages (b2b-users-rest.md §8):
 * `{field: [messages]}` collected for every field, then thrown once as B2B_PARAMETER_ERROR.
 */
export type FieldErrors = Record<string, string[]>;

export const MAX_FIELD_LENGTH = 150;

export const messages = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  notString: 'Not a valid string.',
  nullCharacters: 'Null characters are not allowed.',
  tooLong: `Ensure this field has no more than ${MAX_FIELD_LENGTH} characters.`,
  email: 'Enter a valid email address.',
  integer: 'A valid integer is required.',
  role: (value: string) => `The value "${value}" is not a valid role.`,
  rolePk: (value: string) => `Invalid pk "${value}" - object does not exist.`,
  mustHaveRole: 'User must have a role.',
  extraFields: 'Expected a list of items with fieldName and fieldValue strings.',
} as const;

export function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

export interface StringRule {
  required: boolean;
  allowBlank: boolean;
  max?: number;
}

/** Returns the string (as given; blank check on the trimmed text), or undefined with an error recorded. */
export function checkString(errors: FieldErrors, field: string, value: unknown, rule: StringRule): string | undefined {
  if (value === undefined) {
    if (rule.required) addError(errors, field, messages.required);
    return undefined;
  }
  if (value === null) {
    addError(errors, field, messages.null);
    return undefined;
  }
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else {
    addError(errors, field, messages.notString);
    return undefined;
  }
  if (text.includes('\u0000')) {
    addError(errors, field, messages.nullCharacters);
    return undefined;
  }
  if (!rule.allowBlank && text.trim() === '') {
    addError(errors, field, messages.blank);
    return undefined;
  }
  if (rule.max !== undefined && text.length > rule.max) {
    addError(errors, field, messages.tooLong);
    return undefined;
  }
  return text;
}

/**
 * B2B Edition's e-mail check (its texts are Django's, whose validator this follows): the local part is
 * a dot-atom (no leading, trailing or doubled dot; no space, quote, bracket, comma, colon, semicolon or
 * U+0000), the domain dot-separated labels of letters, digits and inner hyphens, at least two labels.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is refused in an e-mail on purpose
const EMAIL = /^[^\s@"(),:;<>[\\\].\u0000]+(?:\.[^\s@"(),:;<>[\\\].\u0000]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isValidEmail(email: string): boolean {
  return EMAIL.test(email.trim());
}

export function checkEmail(errors: FieldErrors, field: string, value: unknown, required: boolean): string | undefined {
  const text = checkString(errors, field, value, { required, allowBlank: false, max: MAX_FIELD_LENGTH });
  if (text === undefined) return undefined;
  if (!isValidEmail(text)) {
    addError(errors, field, messages.email);
    return undefined;
  }
  return text.trim();
}

/** A whole non-negative decimal number, as a JSON number or a string of digits (§13 #23). Never a prefix. */
export function parseWholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function checkExtraFields(errors: FieldErrors, field: string, value: unknown): ExtraField[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    addError(errors, field, messages.extraFields);
    return undefined;
  }
  const out: ExtraField[] = [];
  for (const item of value) {
    if (item === null || typeof item !== 'object') {
      addError(errors, field, messages.extraFields);
      return undefined;
    }
    const { fieldName, fieldValue } = item as { fieldName?: unknown; fieldValue?: unknown };
    if (typeof fieldName !== 'string' || fieldName.trim() === '' || (typeof fieldValue !== 'string' && typeof fieldValue !== 'number')) {
      addError(errors, field, messages.extraFields);
      return undefined;
    }
    out.push({ fieldName, fieldValue: String(fieldValue) });
  }
  return out;
}
