import type { Kysely } from 'kysely';
import type { DB } from '../../db/tables.js';
import { stableUuid } from './stable-uuid.js';

/**
 * Extra-field configurations as the Management API lists them (b2b-management-rest.md §4.9, §8):
 * the store's declared ones (fixture `userExtraFields` / `companyExtraFields`), or, with none
 * declared, one optional text field per name the data shows. Shared by users and Companies.
 */
export interface ExtraFieldConfigDetail {
  id: number;
  uuid: string;
  fieldName: string;
  fieldType: number;
  isRequired: boolean;
  isUnique: boolean;
  visibleToEnduser: boolean;
  configType: number;
  defaultValue: string;
  maximumLength: string;
  numberOfRows: string;
  maximumValue: string;
  listOfValue: string[];
}

export type ExtraFieldKind = 'user' | 'company';

export function parseStringList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map((v) => String(v)) : [];
  } catch {
    return [];
  }
}

/** The declared configurations of a kind, in declaration order (empty when none is declared). */
export async function listDeclaredConfigDetails(db: Kysely<DB>, storeHash: string, kind: ExtraFieldKind): Promise<ExtraFieldConfigDetail[]> {
  const rows = await db.selectFrom('b2b_extra_field_configs').selectAll().where('store_hash', '=', storeHash).where('kind', '=', kind).orderBy('position').execute();
  return rows.map((r, index) => ({
    id: index + 1,
    uuid: stableUuid(storeHash, kind, r.field_name),
    fieldName: r.field_name,
    fieldType: Number(r.field_type),
    isRequired: Number(r.is_required) === 1,
    isUnique: Number(r.is_unique) === 1,
    visibleToEnduser: Number(r.visible_to_enduser) === 1,
    configType: Number(r.config_type),
    defaultValue: r.default_value,
    maximumLength: r.maximum_length,
    numberOfRows: r.number_of_rows,
    maximumValue: r.maximum_value,
    listOfValue: parseStringList(r.list_of_value),
  }));
}

/** With none declared: an optional, user-defined text field of up to 150 characters per name the data shows. */
export function derivedConfigDetails(storeHash: string, kind: ExtraFieldKind, fieldNames: readonly string[]): ExtraFieldConfigDetail[] {
  return fieldNames.map((fieldName, index) => ({
    id: index + 1,
    uuid: stableUuid(storeHash, kind, fieldName),
    fieldName,
    fieldType: 0,
    isRequired: false,
    isUnique: false,
    visibleToEnduser: true,
    configType: 2,
    defaultValue: '',
    maximumLength: '150',
    numberOfRows: '',
    maximumValue: '',
    listOfValue: [],
  }));
}
