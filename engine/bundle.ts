// What a normal install reads from the package folder (package.json, rules/*.md, the compiled
// files for the cache stamp) and the single executable does not have: its build
// (scripts/build-sea.mjs) defines PHPLEAK_BUNDLE with esbuild. Undefined everywhere else.

export interface BundleFacts {
  version: string;
  /** rules/<id>.md by rule id. */
  ruleDocs: Record<string, string>;
  /** A hash of the engine and rule sources the executable was built from (the cache key's build part). */
  buildStamp: string;
}

declare const PHPLEAK_BUNDLE: BundleFacts | undefined;

export const bundled: BundleFacts | undefined = typeof PHPLEAK_BUNDLE === 'undefined' ? undefined : PHPLEAK_BUNDLE;
