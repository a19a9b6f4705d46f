import type { HostMessage } from '../rpc/protocol';

type Send = (message: HostMessage, done: () => void) => void;

interface Pending {
    tokens: number[];
    text: string;
}

/**
 * Carries generated tokens to the client without ever making decoding wait. A token is sent at once when the
 * channel is idle; while a send is still in flight, tokens accumulate per request and go out together when it
 * completes. Responses and errors pass through {@link sendNow}, which first flushes that request's tokens so
 * they can never overtake them.
 */
export class TokenStreamBatcher {
    private readonly pending = new Map<number, Pending>();
    private inFlight = 0;

    constructor(private readonly send: Send) {}

    push(id: number, token: number | undefined, text: string): void {
        let batch = this.pending.get(id);
        if (!batch) {
            batch = { tokens: [], text: '' };
            this.pending.set(id, batch);
        }
        if (token !== undefined) batch.tokens.push(token);
        batch.text += text;
        if (this.inFlight === 0) this.flush(id);
    }

    /** Sends a message now, after any tokens still queued for the same request. */
    sendNow(message: HostMessage): void {
        if ('id' in message) this.flush(message.id);
        this.transmit(message);
    }

    private flush(id: number): void {
        const batch = this.pending.get(id);
        if (!batch) return;
        this.pending.delete(id);
        if (batch.tokens.length === 0 && batch.text === '') return;
        this.transmit({ type: 'tokens', id, tokens: batch.tokens, text: batch.text });
    }

    private transmit(message: HostMessage): void {
        this.inFlight++;
        this.send(message, () => {
            this.inFlight--;
            if (this.inFlight === 0) for (const id of [...this.pending.keys()]) this.flush(id);
        });
    }
}
