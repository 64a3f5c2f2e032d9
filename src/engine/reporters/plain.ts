import type { EngineEvent, Reporter } from '../events.js';
import { formatDuration, formatProgress } from './format.js';

/**
 * One line per event, for logs and CI (stdout is not a terminal). Progress is throttled to a
 * line every few seconds per stage so long stages stay readable.
 */
export function plainReporter(out: NodeJS.WritableStream, options: { verbose?: boolean; progressEveryMs?: number } = {}): Reporter {
  const every = options.progressEveryMs ?? 5000;
  const lastProgress = new Map<string, number>();
  const write = (line: string) => out.write(`${line}\n`);
  return {
    onEvent(event: EngineEvent) {
      switch (event.type) {
        case 'run-start':
          write(`run ${event.runId} (${event.spec}, ${event.stages.length} stages)`);
          break;
        case 'stage-start':
          write(`▶ ${event.stageId} (${event.plugin}${event.device === 'gpu' ? ', gpu' : ''}): running — ${event.reason}`);
          break;
        case 'stage-progress': {
          const now = Date.now();
          if (now - (lastProgress.get(event.stageId) ?? 0) < every) break;
          lastProgress.set(event.stageId, now);
          write(`  ${event.stageId}: ${formatProgress(event.update)}`);
          break;
        }
        case 'stage-log':
          if (event.level === 'debug' && !options.verbose) break;
          write(`  ${event.stageId}: ${event.level === 'warn' ? 'warning: ' : ''}${event.message}`);
          break;
        case 'warning':
          write(`warning: ${event.message}`);
          break;
        case 'stage-end': {
          const summary = event.summary ? ` — ${event.summary}` : '';
          if (event.status === 'cached') write(`✓ ${event.stageId}: cached${summary}`);
          else if (event.status === 'ran') write(`✓ ${event.stageId}: done in ${formatDuration(event.durationMs)}${summary}`);
          else if (event.status === 'failed') write(`✗ ${event.stageId}: failed: ${event.error}`);
          else write(`- ${event.stageId}: skipped (${event.reason})`);
          break;
        }
        case 'run-end':
          write(`run ${event.runId} ${event.status} in ${formatDuration(event.durationMs)} → ${event.runDir}`);
          break;
      }
    },
    close: async () => {},
  };
}
