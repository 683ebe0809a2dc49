import { z } from 'zod';

/**
 * The schemas an API description names: each becomes a `components.schemas` entry that the others
 * and the routes refer to by `$ref`, instead of being written out wherever it is used.
 */
export const API_COMPONENTS = z.registry<{ id: string }>();

/** Registers `schema` under `id` in API_COMPONENTS and returns it. */
export function named<S extends z.ZodType>(id: string, schema: S): S {
  API_COMPONENTS.add(schema, { id });
  return schema;
}
