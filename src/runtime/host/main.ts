// Entry point of dist/runtime-host.js: the child process that runs llama.cpp, forked by RuntimeClient with an
// IPC channel. llama.cpp can abort the whole process (GGML_ASSERT) or run out of memory; in here that ends
// only this process, and the client reports it and starts a fresh one.
import { BulkWriter } from '../rpc/bulkTransfer';
import { LlamaEngine } from './engine/LlamaEngine';
import { loadLlamaModule } from './engine/llamaModule';
import type { ClientMessage, HostMessage } from '../rpc/protocol';
import { RuntimeHost } from './RuntimeHost';
import { handleEscapedErrors } from './escapedErrors';

function main(): void {
    const send = process.send?.bind(process);
    if (!send) {
        process.stderr.write('runtime-host.js is started by RuntimeClient (child_process.fork with an IPC channel), not directly.\n');
        process.exit(2);
    }

    let host: RuntimeHost | undefined;
    // Before anything can fail: an error no caller catches must not end the host with nothing but a stack on stderr.
    handleEscapedErrors((level, message) => {
        if (host) host.log(level, message, 'runtime');
        else process.stderr.write(`${message}\n`);
    });
    const engine = new LlamaEngine({ log: (level, message, source) => host?.log(level, message, source) });
    const bulk = new BulkWriter();
    process.on('exit', () => bulk.dispose());
    host = new RuntimeHost(engine, (message: HostMessage, done: () => void) => {
        const outgoing = message.type === 'response' ? { ...message, result: bulk.pack(message.result) } : message;
        // Never awaited: decoding must not wait on the channel. The callback tells the batcher it is free again.
        send(outgoing, undefined, undefined, () => done());
    });

    process.on('message', (message: ClientMessage) => host!.receive(message));
    // Ctrl-C in a terminal reaches the whole process group, this host included. The client decides what it means (the
    // CLI cancels the request, reports it and then stops this host); dying here would turn that into a crash report.
    process.on('SIGINT', () => undefined);
    // The client is gone (editor closed, CLI exited): free the model and leave.
    process.on('disconnect', () => {
        void host!.dispose().finally(() => process.exit(0));
    });
    send({ type: 'ready', pid: process.pid } satisfies HostMessage);
    // Every first request needs node-llama-cpp (~0.6 s to import): start now, while the client sends it.
    void loadLlamaModule().catch(() => undefined);
}

main();
