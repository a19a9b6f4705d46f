import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-singlefile-cjs-release-sync';

/** Limits of one program run. */
export interface ProgramLimits {
    /** Wall-clock time the program may run, in ms. Defaults to 1000. */
    timeoutMs?: number;
    /** Memory the program's heap may use, in bytes. Defaults to 32 MiB. */
    memoryBytes?: number;
    /** Characters of printed output kept; more ends the program. Defaults to 20000. */
    maxOutputChars?: number;
}

/** Why a program did not finish normally. */
export type ProgramFailureKind = 'timeout' | 'resources' | 'exception' | 'output';

export interface ProgramRun {
    /** What it printed, one entry per print/console.log call, arguments joined by spaces. */
    printed: string[];
    /** Absent when it ran to its end. */
    failure?: { kind: ProgramFailureKind; message: string };
    ms: number;
}

let module: Promise<QuickJSWASMModule> | undefined;

/**
 * The engine, with Emscripten's abort report kept off stderr: freeing a runtime that a program left in a state QuickJS
 * asserts on (a stack overflow, promise jobs still queued at the deadline) aborts the WebAssembly instance, which
 * runProgram expects and recovers from with a fresh one, so "Aborted(Assertion failed …)" would only alarm a reader of
 * the CLI's output. Anything else the engine reports still reaches stderr.
 */
const quietVariant = newVariant(releaseSync as never, {
    // Emscripten reads printErr from the module options; quickjs-emscripten's type lists only the loader's own keys.
    emscriptenModule: {
        printErr(text: string) {
            if (!text.startsWith('Aborted(')) console.error(text);
        },
    } as never,
});

/**
 * Runs untrusted JavaScript (a program a model wrote) in QuickJS compiled to WebAssembly (quickjs-emscripten): a fresh
 * runtime per run with a memory limit and a deadline checked by QuickJS's interrupt handler, and nothing of the host
 * but `print` and `console.log`, which only hand strings out. No file system, network, timers, `require` or host
 * objects exist inside; results leave as strings, so nothing the program builds can reach the host's prototypes.
 */
export async function runProgram(code: string, limits: ProgramLimits = {}): Promise<ProgramRun> {
    const started = performance.now();
    const quickjs = await (module ??= newQuickJSWASMModuleFromVariant(quietVariant));
    const timeoutMs = limits.timeoutMs ?? 1000;
    const maxOutput = limits.maxOutputChars ?? 20_000;
    const runtime = quickjs.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes ?? 32 * 1024 * 1024);
    // Small enough that QuickJS reports deep recursion itself before WebAssembly runs out of the host thread's stack.
    runtime.setMaxStackSize(256 * 1024);
    const deadline = Date.now() + timeoutMs;
    let interrupted = false;
    runtime.setInterruptHandler(() => {
        if (outputExceeded) return true;
        if (Date.now() <= deadline) return false;
        interrupted = true;
        return true;
    });
    const context = runtime.newContext();
    // Taken before the program runs, so that a program replacing JSON.stringify cannot change how its output is written.
    const stringify = context.getProp(context.global, 'JSON').consume(json => context.getProp(json, 'stringify'));
    const printed: string[] = [];
    let outputChars = 0;
    let outputExceeded = false;
    const printer = context.newFunction('print', (...args: QuickJSHandle[]) => {
        const parts: string[] = [];
        for (const arg of args) {
            const part = printedText(context, stringify, arg);
            // What a toJSON threw (or its loop's interruption) is thrown at the print call, as JSON.stringify would.
            if (typeof part !== 'string') return part;
            parts.push(part);
        }
        const line = parts.join(' ');
        outputChars += line.length;
        if (outputChars > maxOutput) {
            // A thrown error could be caught by the program and it would go on printing: the interrupt handler ends it.
            outputExceeded = true;
            return undefined;
        }
        printed.push(line);
        return undefined;
    });
    const consoleObject = context.newObject();
    context.setProp(consoleObject, 'log', printer);
    context.setProp(context.global, 'print', printer);
    context.setProp(context.global, 'console', consoleObject);
    printer.dispose();
    consoleObject.dispose();
    let failure: ProgramRun['failure'];
    try {
        let result: ReturnType<typeof context.evalCode>;
        try {
            result = context.evalCode(code, 'program.js');
        } catch (error) {
            // The host's own stack ran out inside WebAssembly (deep recursion the stack limit above did not catch): the
            // instance may be inconsistent now, so the next program gets a fresh one.
            if (!(error instanceof RangeError)) throw error;
            module = undefined;
            return { printed, failure: { kind: 'resources', message: 'the program recursed too deeply' }, ms: performance.now() - started };
        }
        if (result.error) {
            const error = context.dump(result.error) as { name?: string; message?: string } | string;
            result.error.dispose();
            const name = typeof error === 'object' && error !== null ? error.name : undefined;
            const message = typeof error === 'object' && error !== null ? `${error.name ?? 'Error'}: ${error.message ?? ''}` : String(error);
            // What stopped it is known from our own state first (deadline, output), then from QuickJS's error class:
            // InternalError is its out-of-memory and stack-overflow error.
            const kind: ProgramFailureKind = outputExceeded ? 'output' : interrupted ? 'timeout' : name === 'InternalError' ? 'resources' : 'exception';
            failure = {
                kind,
                message: kind === 'timeout' ? `the program ran past its ${timeoutMs} ms limit`
                    : kind === 'output' ? `the program printed more than ${maxOutput} characters` : message,
            };
        } else {
            result.value.dispose();
            failure = runPendingJobs(runtime, context, deadline, timeoutMs);
        }
        // The deadline passing is a timeout wherever it struck: in a job whose exception only rejected a promise, or in a
        // toJSON whose exception the program caught, the program may even have gone on to end normally.
        if (interrupted && failure?.kind !== 'output') failure = { kind: 'timeout', message: `the program ran past its ${timeoutMs} ms limit` };
        if (outputExceeded) failure = { kind: 'output', message: `the program printed more than ${maxOutput} characters` };
    } finally {
        try {
            stringify.dispose();
            context.dispose();
            runtime.dispose();
        } catch {
            // QuickJS asserts when a runtime that overflowed its stack is freed with objects still listed, which aborts
            // the whole WebAssembly instance: the next program gets a fresh one. The program's own outcome stands.
            module = undefined;
        }
    }
    return { printed, ...(failure ? { failure } : {}), ms: performance.now() - started };
}

/** Jobs run per call between the host's own deadline checks. */
const jobBatch = 1000;

/**
 * Runs the promise jobs the program queued, under the same limits. In batches with the deadline checked between them,
 * because a job that queues two more never empties the queue, and QuickJS's interrupt handler only ends the job it
 * interrupts (which rejects a promise and lets the next job run): executing until the queue is empty would never return.
 */
function runPendingJobs(runtime: QuickJSRuntime, context: QuickJSContext, deadline: number, timeoutMs: number): ProgramRun['failure'] {
    while (runtime.hasPendingJob()) {
        if (Date.now() > deadline) return { kind: 'timeout', message: `the program ran past its ${timeoutMs} ms limit` };
        const jobs = runtime.executePendingJobs(jobBatch);
        if (jobs.error) {
            const error = context.dump(jobs.error) as { name?: string; message?: string } | undefined;
            jobs.error.dispose();
            return { kind: error?.name === 'InternalError' ? 'resources' : 'exception', message: `${error?.name ?? 'Error'}: ${error?.message ?? ''}` };
        }
    }
    return undefined;
}

/**
 * How `print` writes one value: strings as they are; objects through the sandbox's own JSON.stringify, so that a
 * toJSON that throws (or loops until the deadline interrupts it) throws at the print call rather than being swallowed
 * into "[object Object]" by quickjs-emscripten's dump; everything else, and what JSON cannot write, as dump gives it.
 */
function printedText(context: QuickJSContext, stringify: QuickJSHandle, value: QuickJSHandle): string | { error: QuickJSHandle } {
    const type = context.typeof(value);
    if (type === 'object') {
        const json = context.callFunction(stringify, context.undefined, value);
        if (json.error) return { error: json.error };
        const text = json.value.consume(handle => (context.typeof(handle) === 'string' ? context.getString(handle) : undefined));
        if (text !== undefined) return text;
    }
    const dumped: unknown = context.dump(value);
    return typeof dumped === 'string' ? dumped : JSON.stringify(dumped) ?? String(dumped);
}
