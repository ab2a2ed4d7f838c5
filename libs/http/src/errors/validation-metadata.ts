import { getMetadataStorage } from 'class-validator';

type TargetMetadatas = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>;

const REMEMBERED = Symbol.for('pcp.http.rememberedTargetMetadatas');

/**
 * Makes class-validator remember each DTO class's validation metadata. It otherwise rebuilds
 * the list on every validation, walking every decorated class of the process to find the
 * parents (typestack/class-validator#2686): a cost that grows with the number of DTOs and that
 * each request paid, once more for every nested object. Only lookups without groups, `always`
 * or strict groups (the platform's pipe) are remembered, per class and schema name (the name
 * of the parent class that class-validator passes for a nested object). A decorator
 * registered later (a class defined after start-up) forgets everything. Installing it twice
 * is harmless.
 */
export function rememberValidationMetadata(): void {
  const storage = getMetadataStorage() as ReturnType<typeof getMetadataStorage> & {
    [REMEMBERED]?: true;
  };
  if (storage[REMEMBERED]) return;
  storage[REMEMBERED] = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let remembered = new WeakMap<object, Map<string | undefined, TargetMetadatas>>();
  storage.addValidationMetadata = (metadata) => {
    remembered = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const plain = typeof target === 'function' && !always && !strictGroups && !groups?.length;
    if (!plain) return lookup(target, schema, always, strictGroups, groups);
    let bySchema = remembered.get(target);
    if (!bySchema) {
      bySchema = new Map();
      remembered.set(target, bySchema);
    }
    let metadatas = bySchema.get(schema);
    if (!metadatas) {
      metadatas = lookup(target, schema, always, strictGroups, groups);
      bySchema.set(schema, metadatas);
    }
    return metadatas;
  };
}
