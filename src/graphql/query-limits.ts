/**
 * A validation rule bounding what one operation may ask for: selection depth, aliases and fields
 * (fragments expanded). It runs for HTTP and graphql-ws alike, before anything executes. While
 * introspection is on, introspection fields (`__schema`, `__type`, `__typename`) are not counted:
 * the standard introspection query is deep by design, and tools must be able to load the schema.
 */
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
  /** Introspection fields are exempt while introspection is served. */
  introspection: boolean;
}

interface Tally {
  depth: number;
  aliases: number;
  fields: number;
}

function measure(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, depth: number, tally: Tally, seen: Set<string>, limits: QueryLimits): void {
  tally.depth = Math.max(tally.depth, depth);
  // Stop early: a hostile document can be made to expand exponentially through fragments.
  if (tally.fields > limits.maxFields || tally.depth > limits.maxDepth) return;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (limits.introspection && selection.name.value.startsWith('__')) continue;
      tally.fields++;
      if (selection.alias !== undefined) tally.aliases++;
      if (selection.selectionSet !== undefined) measure(selection.selectionSet, fragments, depth + 1, tally, seen, limits);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      measure(selection.selectionSet, fragments, depth, tally, seen, limits);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment === undefined || seen.has(fragment.name.value)) continue;
      seen.add(fragment.name.value);
      measure(fragment.selectionSet, fragments, depth, tally, seen, limits);
      seen.delete(fragment.name.value);
    }
  }
}

export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      const tally: Tally = { depth: 0, aliases: 0, fields: 0 };
      measure(operation.selectionSet, fragments, 1, tally, new Set(), limits);
      if (tally.depth > limits.maxDepth) context.reportError(new GraphQLError(`Query is too deep: at most ${limits.maxDepth} levels.`, { nodes: [operation] }));
      if (tally.aliases > limits.maxAliases) context.reportError(new GraphQLError(`Query uses too many aliases: at most ${limits.maxAliases}.`, { nodes: [operation] }));
      if (tally.fields > limits.maxFields) context.reportError(new GraphQLError(`Query selects too many fields: at most ${limits.maxFields}.`, { nodes: [operation] }));
    },
  });
}
