import type { JsonSchema, ParameterDoc } from './openapi.js';

/** JSON Schemas of the B2B REST wire shapes: response serialization + OpenAPI documentation. */
const str = { type: 'string' } as const;
const nullableStr = { type: 'string', nullable: true } as const;

export function v2Envelope(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['code', 'message', 'data'],
    properties: { code: { type: 'integer', enum: [200] }, message: { type: 'string' }, data },
  };
}

export function ioEnvelope(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['code', 'data', 'meta'],
    properties: { code: { type: 'integer', enum: [200] }, data, meta: { type: 'object', required: ['message'], properties: { message: str } } },
  };
}

export const emptyData: JsonSchema = { type: 'object', additionalProperties: false, properties: {} };

const roleEnum = { type: 'string', description: '0 Admin, 1 Senior Buyer, 2 Junior Buyer (also custom roles), 3 Super Admin, 4 unknown' };

export const userListItemSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'firstName', 'lastName', 'email', 'phoneNumber', 'role', 'createdAt', 'updatedAt'],
  properties: {
    id: str,
    firstName: str,
    lastName: str,
    email: str,
    phoneNumber: str,
    role: roleEnum,
    createdAt: { type: 'string', description: 'unix seconds' },
    updatedAt: { type: 'string', description: 'unix seconds' },
    companyRoleId: { ...nullableStr, description: 'extension: the custom role id, or 0/1/2 for a predefined role' },
    companyRoleName: { ...nullableStr, description: 'extension: the role name' },
  },
};

export const companyUserListItemSchema: JsonSchema = {
  ...userListItemSchema,
  required: [...(userListItemSchema.required as string[]), 'uuid', 'catalogId'],
  properties: { ...(userListItemSchema.properties as JsonSchema), uuid: str, catalogId: str },
};

export const paginationSchema: JsonSchema = {
  type: 'object',
  required: ['totalCount', 'offset', 'limit'],
  properties: { totalCount: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' } },
};

export function listData(item: JsonSchema): JsonSchema {
  return { type: 'object', required: ['list', 'pagination'], properties: { list: { type: 'array', items: item }, pagination: paginationSchema } };
}

export const userDetailSchema: JsonSchema = {
  type: 'object',
  required: ['roleId', 'userId', 'firstName', 'lastName', 'phoneNumber', 'email'],
  properties: {
    roleId: roleEnum,
    userId: str,
    firstName: str,
    lastName: str,
    phoneNumber: str,
    email: str,
    companyRoleId: nullableStr,
    companyRoleName: nullableStr,
  },
};

export const createdUserSchema: JsonSchema = {
  type: 'object',
  required: ['userId', 'bcId', 'firstName', 'lastName', 'email', 'role'],
  properties: {
    userId: str,
    bcId: str,
    firstName: str,
    lastName: str,
    email: str,
    role: roleEnum,
    companyRoleId: nullableStr,
    companyRoleName: nullableStr,
  },
};

export const emailCheckSchema: JsonSchema = {
  type: 'object',
  required: ['isValid', 'userInfo'],
  properties: {
    isValid: { type: 'string', enum: ['0', '1', '2'] },
    userInfo: {
      type: 'object',
      properties: { id: str, firstName: str, lastName: str, email: str, phoneNumber: str, role: str },
    },
  },
};

export const companyOfUserSchema: JsonSchema = {
  type: 'object',
  required: ['companyId', 'companyName', 'companyStatus'],
  properties: {
    companyId: str,
    companyName: str,
    bcGroupName: str,
    companyStatus: { type: 'string', enum: ['0', '1', '2', '3'] },
    description: str,
    catalogId: str,
    extraFields: {
      type: 'object',
      properties: {
        extraFields: { type: 'array', items: { type: 'object', properties: { fieldName: str, fieldValue: str } } },
      },
    },
    addressLine1: str,
    addressLine2: str,
    city: str,
    state: str,
    zipCode: str,
    country: str,
  },
};

const extraFieldsInput = {
  type: 'array',
  items: { type: 'object', required: ['fieldName', 'fieldValue'], properties: { fieldName: str, fieldValue: str } },
};

export const createUserBody: JsonSchema = {
  type: 'object',
  required: ['companyId', 'firstName', 'lastName', 'email', 'phoneNumber', 'role'],
  properties: {
    companyId: str,
    firstName: { type: 'string', maxLength: 150 },
    lastName: { type: 'string', maxLength: 150 },
    email: { type: 'string', format: 'email', maxLength: 150 },
    phoneNumber: { type: 'string', maxLength: 150 },
    role: { type: 'string', enum: ['0', '1', '2'] },
    companyRoleId: { type: 'string', description: 'extension: overrides role (a custom role id or 0/1/2)' },
    uuid: str,
    extraFields: extraFieldsInput,
  },
};

export const updateUserBody: JsonSchema = {
  type: 'object',
  required: ['firstName', 'lastName', 'email', 'phoneNumber', 'role'],
  properties: {
    firstName: { type: 'string', maxLength: 150 },
    lastName: { type: 'string', maxLength: 150 },
    email: { type: 'string', format: 'email', maxLength: 150 },
    phoneNumber: { type: 'string', maxLength: 150 },
    role: { type: 'string', enum: ['0', '1', '2'] },
    companyRoleId: str,
    uuid: str,
    extraFields: extraFieldsInput,
  },
};

export const pagingParameters: ParameterDoc[] = [
  { name: 'limit', in: 'query', description: 'page size, default 10, at most 250 (lenient)', schema: { type: 'string' } },
  { name: 'offset', in: 'query', description: 'number of items to skip (lenient)', schema: { type: 'string' } },
];

export const tokenData: JsonSchema = { type: 'object', required: ['token'], properties: { token: str } };
