import { join } from 'node:path';
import type { SamplingOptions } from '../../shared/sampling';
import { migrateForm } from '../../core/panels/playground/form';
import { formFromRun } from '../../core/panels/playground/formFromRun';
import { loadFormNotification, type PlaygroundForm } from '../../shared/protocols/playground';
import { declinedNotice, type PlaygroundContext } from './PlaygroundContext';
import type { PlaygroundHistory } from './PlaygroundHistory';
import type { PlaygroundRunner } from './PlaygroundRunner';

/** A run as formFromRun takes it: messages, sampling, adapters. */
export type RunDescription = Parameters<typeof formFromRun>[0];

/**
 * Forms put into the playground from elsewhere: a run description (an opened .prompt file) or a record of the run
 * history. Each is saved as the view's form and sent to the page, which shows it in place of what was typed.
 */
export class PlaygroundForms {
    constructor(private readonly context: PlaygroundContext, private readonly history: PlaygroundHistory, private readonly runner: PlaygroundRunner) {}

    /** `description` as the form (the notes of its conversion after `notice`); undefined when it does not convert (see the notice). */
    async load(description: RunDescription, notice: string): Promise<PlaygroundForm | undefined> {
        const { store, models } = this.context.options;
        const converted = formFromRun(description, store.load(), models.model?.path);
        if (!converted.ok) return this.context.setNotice(converted.error);
        await store.save(converted.form);
        this.context.notify(loadFormNotification, converted.form);
        this.context.setNotice([notice, ...converted.notes].join(' '));
        return converted.form;
    }

    /** Puts history record `key` into the form, and runs it when `run`. Returns the form, or undefined (see the notice). */
    async reopen(key: string, run = false): Promise<PlaygroundForm | undefined> {
        const record = await this.history.get(key);
        if (record === undefined) return this.context.setNotice(`History entry ${key} was not found.`);
        // The history is a workspace file (a repository can commit it): its adapters go through Workspace Trust.
        const source = join(this.history.directory ?? '', key.replace(/:\d+$/, ''));
        const { trust } = this.context.options;
        let form: PlaygroundForm | undefined;
        if (record.playground !== undefined) {
            form = migrateForm(record.playground);
            const named = Object.values(form.adapters).flat();
            const { declined } = await trust.adaptersFrom(named, source);
            if (declined.length > 0) {
                // Each model keeps its list, emptied: it runs as the base model rather than with adapters not allowed.
                form = { ...form, adapters: Object.fromEntries(Object.keys(form.adapters).map(model => [model, []])) };
            }
            // Re-running reproduces the run: its seed, locked.
            if (typeof record.seed === 'number') form = { ...form, sampling: { ...form.sampling, seed: String(record.seed), seedLocked: true } };
            await this.context.options.store.save(form);
            this.context.notify(loadFormNotification, form);
            this.context.setNotice(`Reopened the run of ${record.time ?? key}${declinedNotice(declined)}`);
        } else {
            const { allowed, declined } = await trust.adaptersFrom(record.adapters ?? [], source);
            form = await this.load({
                messages: record.messages ?? [],
                sampling: { ...(record.sampling ?? {}), ...(typeof record.seed === 'number' ? { seed: record.seed } : {}) } as SamplingOptions,
                ...(record.adapters !== undefined ? { lora: allowed } : {}),
            }, `Reopened the ${record.command ?? ''} run of ${record.time ?? key}${declinedNotice(declined)}`);
        }
        if (form !== undefined && run) await this.runner.runForm(form);
        return form;
    }
}
