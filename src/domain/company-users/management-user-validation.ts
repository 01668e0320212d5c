import { describeValue } from '../../shared/describe-value.js';
import { isValidEmail, MAX_FIELD_LENGTH } from './company-user-validation.js';
import type { ExtraField } from './company-user-types.js';

/**
 * Value rules of the Management API's user bodies (b2b-management-rest.md §3.4, §4.10): Django REST
 * framework texts, lenient integer and boolean inputs. Errors are collected per field
 * (`{field: [messages]}`, or `{index: [messages]}` for a list field) and thrown once by the caller.
 */
export type ManagementFieldErrors = Record<string, string[] | Record<string, string[]>>;

export const MAX_UUID_LENGTH = 255;
/** extra fields one user or Company may carry [ours] */
export const MAX_EXTRA_FIELDS = 100;

export const managementMessages = {
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  notString: 'Not a valid string.',
  tooLong: (max: number) => `Ensure this field has no more than ${max} characters.`,
  emailOnCreate: 'Email is not correct.',
  emailOnUpdate: 'Enter a valid email address.',
  integer: 'A valid integer is required.',
  boolean: 'Must be a valid boolean.',
  choice: (value: unknown) => `"${describeValue(value)}" is not a valid choice.`,
  roleOnUpdate: (value: unknown) => `The value "${describeValue(value)}" is not a valid role.`,
  pk: (value: unknown) => `Invalid pk "${describeValue(value)}" - object does not exist.`,
  pkType: (value: unknown) => `Incorrect type. Expected pk value, received ${pythonType(value)}.`,
  list: (value: unknown) => `Expected a list of items but got type "${pythonType(value)}".`,
  mustHaveRole: 'User must have a role.',
  originChannel: 'Origin channel must be one of channelIds.',
  noChannel: 'At least one B2B storefront needs to be enabled for a Company user.',
  extraFieldName: 'The extra field name is required.',
  tooManyExtraFields: `Ensure this field has no more than ${100} elements.`,
  // names are echoed bounded (shared/describe-value.ts): a client's megabyte name is not sent back whole
  extraFieldUnknown: (name: string) => `The extra field "${describeValue(name)}" does not exist.`,
  extraFieldRequired: (name: string) => `The extra field "${describeValue(name)}" is required.`,
  extraFieldUnique: (name: string) => `The value of extra field "${describeValue(name)}" must be unique.`,
  extraFieldInvalid: (name: string) => `The value of extra field "${describeValue(name)}" is invalid.`,
} as const;

/** The type name Django REST framework prints for a JSON value. */
export function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    default:
      return 'dict';
  }
}

export function addFieldError(errors: ManagementFieldErrors, field: string, message: string): void {
  const list = errors[field];
  if (Array.isArray(list)) list.push(message);
  else errors[field] = [message];
}

/** §3.4: JSON integers, integral floats (`2.0`) and numeric strings (`"2"`); undefined otherwise. */
export function lenientInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*[-+]?\d{1,15}\s*$/.test(value)) return Number(value.trim());
  return undefined;
}

/** §3.4: true/false, "true"/"false", 1/0, "1"/"0"; undefined otherwise. */
export function lenientBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === 'true' || value === '1') return true;
  if (value === false || value === 0 || value === 'false' || value === '0') return false;
  return undefined;
}

export interface TextRule {
  /** missing counts as null (POST's required keys) */
  required: boolean;
  max: number;
  allowBlank: boolean;
}

/** A text field: numbers are read as their text (DRF CharField); undefined when absent or refused. */
export function checkText(errors: ManagementFieldErrors, field: string, value: unknown, rule: TextRule): string | undefined {
  if (value === undefined && !rule.required) return undefined;
  if (value === undefined || value === null) {
    addFieldError(errors, field, managementMessages.null);
    return undefined;
  }
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else {
    addFieldError(errors, field, managementMessages.notString);
    return undefined;
  }
  if (text.includes('\u0000')) {
    addFieldError(errors, field, managementMessages.notString);
    return undefined;
  }
  if (!rule.allowBlank && text.trim() === '') {
    addFieldError(errors, field, managementMessages.blank);
    return undefined;
  }
  if (text.length > rule.max) {
    addFieldError(errors, field, managementMessages.tooLong(rule.max));
    return undefined;
  }
  return text;
}

export function checkManagementEmail(errors: ManagementFieldErrors, value: unknown, required: boolean, invalidText: string): string | undefined {
  const text = checkText(errors, 'email', value, { required, max: MAX_FIELD_LENGTH, allowBlank: false });
  if (text === undefined) return undefined;
  if (!isValidEmail(text)) {
    addFieldError(errors, 'email', invalidText);
    return undefined;
  }
  return text.trim();
}

/**
 * `channelIds`: a list of channel ids of the store. Undefined when absent/null (the caller decides:
 * the logical "at least one storefront" error) or refused (errors recorded).
 */
export function checkChannelIds(errors: ManagementFieldErrors, value: unknown, storeChannels: ReadonlySet<number>): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    addFieldError(errors, 'channelIds', managementMessages.list(value));
    return undefined;
  }
  const perIndex: Record<string, string[]> = {};
  const out: number[] = [];
  value.forEach((item, index) => {
    const id = lenientInteger(item);
    if (id === undefined) perIndex[String(index)] = [typeof item === 'number' || typeof item === 'string' ? managementMessages.pk(item) : managementMessages.pkType(item)];
    else if (!storeChannels.has(id)) perIndex[String(index)] = [managementMessages.pk(id)];
    else out.push(id);
  });
  if (Object.keys(perIndex).length > 0) {
    errors.channelIds = perIndex;
    return undefined;
  }
  return [...new Set(out)];
}

/** A declared extra-field configuration (b2b-management-rest.md §8). */
export interface DeclaredExtraField {
  fieldName: string;
  /** 0 text, 1 multiline, 2 number, 3 dropdown */
  fieldType: number;
  isRequired: boolean;
  isUnique: boolean;
  maximumLength: string;
  numberOfRows: string;
  maximumValue: string;
  listOfValue: readonly string[];
}

/**
 * `extraFields` items `{fieldName, fieldValue}` (values stored as strings) checked against the
 * declared configurations (none declared: any name, values up to 150 characters). `mode: 'create'`
 * also checks that every required field has a value. Uniqueness is the caller's (it needs storage).
 */
export function checkExtraFieldValues(
  errors: ManagementFieldErrors,
  value: unknown,
  declared: readonly DeclaredExtraField[],
  mode: 'create' | 'update',
): ExtraField[] | undefined {
  const messages: string[] = [];
  const out: ExtraField[] = [];
  if (value !== undefined && value !== null) {
    if (!Array.isArray(value)) {
      addFieldError(errors, 'extraFields', managementMessages.list(value));
      return undefined;
    }
    // [ours] bounded: a user or Company carries at most 100 extra fields (one body could hold 20,000)
    if (value.length > MAX_EXTRA_FIELDS) {
      addFieldError(errors, 'extraFields', managementMessages.tooManyExtraFields);
      return undefined;
    }
    const byName = new Map(declared.map((d) => [d.fieldName.toLowerCase(), d]));
    for (const item of value) {
      const record = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
      const name = record?.fieldName;
      if (typeof name !== 'string' || name.trim() === '') {
        messages.push(managementMessages.extraFieldName);
        continue;
      }
      const raw = record?.fieldValue;
      let text = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw === undefined || raw === null ? '' : undefined;
      // U+0000 cannot be stored (PostgreSQL text): such a name or value is invalid
      if (name.includes('\u0000') || text?.includes('\u0000')) text = undefined;
      const config = byName.get(name.toLowerCase());
      if (declared.length > 0 && !config) {
        messages.push(managementMessages.extraFieldUnknown(name));
        continue;
      }
      if (text === undefined || name.length > MAX_FIELD_LENGTH || (config ? !fitsConfig(text, config) : text.length > MAX_FIELD_LENGTH)) {
        messages.push(managementMessages.extraFieldInvalid(name));
        continue;
      }
      if (config?.isRequired && text === '') {
        messages.push(managementMessages.extraFieldRequired(config.fieldName));
        continue;
      }
      out.push({ fieldName: config?.fieldName ?? name, fieldValue: text });
    }
  }
  if (mode === 'create') {
    for (const config of declared) {
      if (config.isRequired && !out.some((f) => f.fieldName === config.fieldName && f.fieldValue !== '') && !messages.includes(managementMessages.extraFieldRequired(config.fieldName))) {
        messages.push(managementMessages.extraFieldRequired(config.fieldName));
      }
    }
  }
  if (messages.length > 0) {
    errors.extraFields = messages;
    return undefined;
  }
  return out;
}

function fitsConfig(text: string, config: DeclaredExtraField): boolean {
  if (text === '') return true;
  switch (config.fieldType) {
    case 2: {
      if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return false;
      const max = config.maximumValue === '' ? undefined : Number(config.maximumValue);
      return max === undefined || !Number.isFinite(max) || Number(text) <= max;
    }
    case 3:
      return config.listOfValue.includes(text);
    case 1: {
      const rows = config.numberOfRows === '' ? undefined : Number(config.numberOfRows);
      if (rows !== undefined && Number.isFinite(rows) && text.split('\n').length > rows) return false;
      return withinLength(text, config.maximumLength);
    }
    default:
      return withinLength(text, config.maximumLength);
  }
}

function withinLength(text: string, maximum: string): boolean {
  const max = maximum === '' ? MAX_FIELD_LENGTH : Number(maximum);
  return !Number.isFinite(max) || text.length <= max;
}

/** Listed fields set (or cleared by ""), the others kept: the update rule of §4.6. */
/** Listed fields set (or cleared by ""), the others kept: the update rule of §4.6. Undefined when the result would hold more than MAX_EXTRA_FIELDS. */
export function mergeExtraFieldsBounded(current: readonly ExtraField[], changes: readonly ExtraField[]): ExtraField[] | undefined {
  const merged = mergeExtraFields(current, changes);
  return merged.length > MAX_EXTRA_FIELDS ? undefined : merged;
}

export function mergeExtraFields(current: readonly ExtraField[], changes: readonly ExtraField[]): ExtraField[] {
  // keyed by lower-cased name: linear in the fields, whatever their number
  const merged = new Map<string, ExtraField>();
  for (const f of current) merged.set(f.fieldName.toLowerCase(), { ...f });
  for (const change of changes) {
    const key = change.fieldName.toLowerCase();
    const existing = merged.get(key);
    if (change.fieldValue === '') merged.delete(key);
    else merged.set(key, { fieldName: existing?.fieldName ?? change.fieldName, fieldValue: change.fieldValue });
  }
  return [...merged.values()];
}
