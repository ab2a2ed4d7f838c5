import { getMetadataStorage } from 'class-validator';

type TargetMetadatas = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>;

const REMEMBERED = Symbol.for('pcp.http.rememberedTargetMetadatas');

/**
 * Makes class-validator remember each DTO class's validation metadata. It otherwise rebuilds
 * the list on every validation, walking every decorated class of the process to find the
 * parents (typestack/class-validator#2686): a cost that grows with the number of DTOs and that
 * each request paid. Only the plain lookup (no schema, no groups, no `always`, no strict groups:
 * the platform's pipe) is remembered; a decorator that runs later (a class defined after
 * start-up) forgets everything. Installing it twice is harmless.
 */
export function rememberValidationMetadata(): void {
  const storage = getMetadataStorage() as ReturnType<typeof getMetadataStorage> & {
    [REMEMBERED]?: true;
  };
  if (storage[REMEMBERED]) return;
  storage[REMEMBERED] = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let remembered = new WeakMap<object, TargetMetadatas>();
  storage.addValidationMetadata = (metadata) => {
    remembered = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const plain =
      typeof target === 'function' && !schema && !always && !strictGroups && !groups?.length;
    if (!plain) return lookup(target, schema, always, strictGroups, groups);
    let metadatas = remembered.get(target);
    if (!metadatas) {
      metadatas = lookup(target, schema, always, strictGroups, groups);
      remembered.set(target, metadatas);
    }
    return metadatas;
  };
}
