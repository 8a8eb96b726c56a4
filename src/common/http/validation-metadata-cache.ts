import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Lookup = (
  targetConstructor: object,
  targetSchema: string,
  always: boolean,
  strictGroups: boolean,
  groups?: string[],
) => ValidationMetadata[];
type Grouping = (metadata: ValidationMetadata[]) => Record<string, ValidationMetadata[]>;

let installed = false;

/**
 * Remembers class-validator's answer to "which rules apply to this DTO class", which it works out again on every
 * validation by testing the class against every decorated class of the application (typestack/class-validator
 * #2686, open): with this application's DTOs that scan and the grouping after it were ~2% of an answer save's CPU.
 * The answer depends only on the rules registered, and registering one forgets every remembered answer, so a
 * class decorated late is seen as before. Installed once, on the one metadata storage class-validator keeps.
 */
export function rememberValidationMetadata(): void {
  if (installed) {
    return;
  }
  installed = true;
  const storage = getMetadataStorage() as unknown as {
    getTargetValidationMetadatas: Lookup;
    groupByPropertyName: Grouping;
    addValidationMetadata: (metadata: ValidationMetadata) => void;
  };
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const grouping = storage.groupByPropertyName.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let lookups = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  let groupings = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();

  storage.addValidationMetadata = (metadata) => {
    lookups = new WeakMap();
    groupings = new WeakMap();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let byOptions = lookups.get(target);
    if (!byOptions) {
      byOptions = new Map();
      lookups.set(target, byOptions);
    }
    let found = byOptions.get(key);
    if (!found) {
      found = lookup(target, schema, always, strictGroups, groups);
      byOptions.set(key, found);
    }
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let grouped = groupings.get(metadata);
    if (!grouped) {
      grouped = grouping(metadata);
      groupings.set(metadata, grouped);
    }
    return grouped;
  };
}
