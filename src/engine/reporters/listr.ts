import { Listr, type ListrTaskWrapper } from 'listr2';
import type { EngineEvent, Reporter } from '../events.js';
import { formatDuration, formatProgress } from './format.js';

interface Deferred {
  resolve(): void;
  reject(error: Error): void;
  task?: ListrTaskWrapper<unknown, never, never>;
  buffered: string[];
}

/**
 * The interactive renderer: listr2 shows every stage with its state (waiting, running with a
 * live progress line, cached, done in N s, failed). The engine drives it through events; each
 * listr task simply waits for its stage's end.
 */
export function listrReporter(out: NodeJS.WritableStream): Reporter {
  const stages = new Map<string, Deferred>();
  let listr: Promise<unknown> | undefined;
  const warnings: string[] = [];
  const setOutput = (id: string, text: string) => {
    const stage = stages.get(id);
    if (!stage) return;
    if (stage.task) stage.task.output = text;
    else stage.buffered.push(text);
  };
  return {
    onEvent(event: EngineEvent) {
      switch (event.type) {
        case 'run-start': {
          out.write(`run ${event.runId} (${event.spec})\n`);
          const tasks = event.stages.map((stage) => {
            const deferred = { buffered: [] } as unknown as Deferred;
            const done = new Promise<void>((resolve, reject) => {
              deferred.resolve = resolve;
              deferred.reject = reject;
            });
            stages.set(stage.id, deferred);
            return {
              title: `${stage.id} (${stage.plugin}) · waiting`,
              task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
                deferred.task = task;
                for (const line of deferred.buffered) task.output = line;
                await done;
              },
            };
          });
          listr = new Listr(tasks, {
            concurrent: true,
            exitOnError: false,
            rendererOptions: { collapseErrors: false },
            fallbackRendererCondition: false,
          } as never).run().catch(() => undefined);
          break;
        }
        case 'stage-start':
          if (stages.get(event.stageId)?.task) stages.get(event.stageId)!.task!.title = `${event.stageId} (${event.plugin}) — ${event.reason}`;
          break;
        case 'stage-progress':
          setOutput(event.stageId, formatProgress(event.update));
          break;
        case 'stage-log':
          if (event.level !== 'debug') setOutput(event.stageId, event.message);
          break;
        case 'warning':
          warnings.push(event.message);
          if (event.stageId) setOutput(event.stageId, `warning: ${event.message}`);
          break;
        case 'stage-end': {
          const stage = stages.get(event.stageId);
          if (!stage) break;
          const summary = event.summary ? ` — ${event.summary}` : '';
          const title =
            event.status === 'cached'
              ? `${event.stageId}: cached${summary}`
              : event.status === 'ran'
                ? `${event.stageId}: done in ${formatDuration(event.durationMs)}${summary}`
                : event.status === 'skipped'
                  ? `${event.stageId}: skipped (${event.reason})`
                  : `${event.stageId}: failed`;
          if (stage.task) stage.task.title = title;
          if (event.status === 'failed') stage.reject(new Error(event.error ?? 'failed'));
          else if (event.status === 'skipped') {
            stage.task?.skip(title);
            stage.resolve();
          } else stage.resolve();
          break;
        }
        case 'run-end':
          void listr?.then(() => {
            for (const warning of warnings) out.write(`warning: ${warning}\n`);
            out.write(`run ${event.runId} ${event.status} in ${formatDuration(event.durationMs)} → ${event.runDir}\n`);
          });
          break;
      }
    },
    close: async () => {
      await listr;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
