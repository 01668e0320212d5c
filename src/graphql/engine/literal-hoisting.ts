import {
  type ArgumentNode,
  type DocumentNode,
  getNamedType,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isListType,
  isNonNullType,
  isSpecifiedScalarType,
  type ListTypeNode,
  type NamedTypeNode,
  Kind,
  type OperationDefinitionNode,
  print,
  TypeInfo,
  type ValueNode,
  type VariableDefinitionNode,
  valueFromAST,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * Documents that differ only in their literal arguments (`users(companyId: 7, offset: 20)` built
 * into the text by a client) as one shape with variables, so that a shape is validated and
 * compiled once and each text only parsed: `query { users(first: 10) }` becomes
 * `query ($roster_l0: Int) { users(first: $roster_l0) }` with `{ roster_l0: 10 }`.
 *
 * Exact by construction, or not at all (undefined: the caller runs the text as it is):
 * - only a document with one operation, a query (its execution may run again, see graphql-engine.ts);
 * - only field arguments whose type is a built-in scalar or an enum (their literals and their
 *   variable values coerce to the same value), given as a scalar or enum literal (not null, a
 *   list or an object: those stay in the text);
 * - every such literal must be valid for its argument (a literal the API would refuse keeps the
 *   whole document on the ordinary path, where validation words the error);
 * - no variable of the document is named like the ones made here.
 * What differs is only where errors point (line and column of the shape, not of the text): the
 * engine runs the text itself when the shape's answer has errors.
 */
export interface HoistedDocument {
  /** the shape: the document's text with its hoisted literals as variables */
  readonly shape: string;
  /** the hoisted literals, as a client would send them in `variables` */
  readonly values: Readonly<Record<string, unknown>>;
}

const PREFIX = 'roster_l';

export function hoistLiterals(schema: GraphQLSchema, document: DocumentNode): HoistedDocument | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]?.operation !== 'query') return undefined;
  const operation = operations[0];
  if (operation.variableDefinitions?.some((v) => v.variable.name.value.startsWith(PREFIX))) return undefined;
  const typeInfo = new TypeInfo(schema);
  const values: Record<string, unknown> = {};
  const definitions: VariableDefinitionNode[] = [];
  let refused = false;
  let inDirective = 0;
  const hoisted = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive: {
        enter: () => {
          inDirective += 1;
        },
        leave: () => {
          inDirective -= 1;
        },
      },
      Argument(node: ArgumentNode) {
        if (refused || inDirective > 0) return undefined;
        const type = typeInfo.getInputType() as GraphQLInputType | null | undefined;
        if (!type || !isHoistable(node.value)) return undefined;
        const named = getNamedType(type);
        if (!isSpecifiedScalarType(named) && !isEnumType(named)) return undefined;
        // a literal the argument refuses: the ordinary path reports it
        if (valueFromAST(node.value, type) === undefined) {
          refused = true;
          return undefined;
        }
        const name = `${PREFIX}${definitions.length}`;
        values[name] = valueFromASTUntyped(node.value);
        definitions.push({
          kind: Kind.VARIABLE_DEFINITION,
          variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
          type: typeNode(type),
        });
        return { ...node, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } } };
      },
    }),
  ) as DocumentNode;
  if (refused || definitions.length === 0) return undefined;
  const shaped = visit(hoisted, {
    OperationDefinition(node) {
      return { ...node, variableDefinitions: [...(node.variableDefinitions ?? []), ...definitions] };
    },
  }) as DocumentNode;
  return { shape: print(shaped), values };
}

function isHoistable(value: ValueNode): boolean {
  return value.kind === Kind.INT || value.kind === Kind.FLOAT || value.kind === Kind.STRING || value.kind === Kind.BOOLEAN || value.kind === Kind.ENUM;
}

/** the type as a variable definition writes it */
function typeNode(type: GraphQLInputType): VariableDefinitionNode['type'] {
  if (isNonNullType(type)) return { kind: Kind.NON_NULL_TYPE, type: typeNode(type.ofType) as NamedTypeNode | ListTypeNode };
  if (isListType(type)) return { kind: Kind.LIST_TYPE, type: typeNode(type.ofType as GraphQLInputType) };
  return { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type.name } };
}
