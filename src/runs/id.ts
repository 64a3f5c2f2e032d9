/**
 * Run ids: `YYYYMMDD-HHMMSS-mmm-<spec>` in UTC. The fixed-width time prefix makes plain string
 * order equal time order (what `ls runs/` and `latest` rely on); the suffix names the spec so a
 * human can tell runs apart without opening them.
 */

const MAX_NAME_LENGTH = 48;

/** Lower-cases and maps everything outside [a-z0-9-] to '-', so the id is a safe folder name. */
export function sanitizeSpecName(specName: string): string {
  const cleaned = specName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/-+$/, '');
  return cleaned === '' ? 'run' : cleaned;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function newRunId(specName: string, now: Date = new Date()): string {
  const date = `${pad(now.getUTCFullYear(), 4)}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}`;
  const time = `${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}${pad(now.getUTCSeconds(), 2)}`;
  return `${date}-${time}-${pad(now.getUTCMilliseconds(), 3)}-${sanitizeSpecName(specName)}`;
}

