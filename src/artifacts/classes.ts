/**
 * Class names travel with the data: the loader records them in table.json (`labels`: id → name),
 * tokenize copies them into the tokens header, init-bert writes them into the model's config
 * (id2label), and evaluate, error analysis and save read them from there. These helpers are the
 * one place that decides whether two such records agree, and which names win.
 *
 * A name that only repeats its id ("0") or is transformers' placeholder (LABEL_0) says nothing
 * about the class, so it never contradicts a real name and gives way to one.
 */
import { FndError } from '../util/errors.js';

/** Class id (as a string key, "0", "1", ...) → class name. */
export type ClassNames = Record<string, string>;

/** One record of class names and where it came from, for messages. */
export interface ClassNamesSource {
  names: ClassNames | undefined;
  /** e.g. `init-bert's id2label`, `the data (input "data")`. */
  what: string;
}

export function isPlaceholderName(id: string, name: string): boolean {
  return name === id || name === `LABEL_${id}`;
}

/** True when at least one name says more than its id. */
export function hasRealNames(names: ClassNames | undefined): names is ClassNames {
  return names !== undefined && Object.entries(names).some(([id, name]) => !isPlaceholderName(id, name));
}

/** `0 fake, 1 real`, in id order. */
export function formatClassNames(names: ClassNames): string {
  return Object.entries(names)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([id, name]) => `${id} ${name}`)
    .join(', ');
}

/** Why two records of class names contradict each other, or undefined when they agree. */
export function classNamesConflict(a: ClassNames, b: ClassNames): string | undefined {
  const countA = Object.keys(a).length;
  const countB = Object.keys(b).length;
  if (countA !== countB) return `${countA} classes against ${countB}`;
  if (!hasRealNames(a) || !hasRealNames(b)) return undefined;
  for (const id of Object.keys(a).sort((x, y) => Number(x) - Number(y))) {
    const nameA = a[id];
    const nameB = b[id];
    if (nameA === undefined || nameB === undefined) return `class ${id} is named on one side only`;
    if (nameA !== nameB && !isPlaceholderName(id, nameA) && !isPlaceholderName(id, nameB)) {
      return `class ${id} is "${nameA}" in one and "${nameB}" in the other`;
    }
  }
  return undefined;
}

/**
 * Checks that every record agrees with the first one that has names, and returns the names to use:
 * real names where any record has them (the first such record wins), placeholders otherwise.
 * `stage` prefixes the message. Throws a user error that shows both records on a contradiction.
 */
export function agreeOnClassNames(stage: string, sources: ClassNamesSource[], advice: string): ClassNames | undefined {
  const named = sources.filter((source): source is { names: ClassNames; what: string } => source.names !== undefined);
  if (named.length === 0) return undefined;
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const why = classNamesConflict(named[i]!.names, named[j]!.names);
      if (why !== undefined) {
        throw new FndError(
          `${stage}: class names disagree (${why}): ${named[i]!.what} says {${formatClassNames(named[i]!.names)}} but ` +
            `${named[j]!.what} says {${formatClassNames(named[j]!.names)}}; ${advice}`,
        );
      }
    }
  }
  const merged: ClassNames = { ...named[0]!.names };
  for (const id of Object.keys(merged)) {
    if (!isPlaceholderName(id, merged[id]!)) continue;
    const better = named.find((source) => source.names[id] !== undefined && !isPlaceholderName(id, source.names[id]!));
    if (better) merged[id] = better.names[id]!;
  }
  return merged;
}
