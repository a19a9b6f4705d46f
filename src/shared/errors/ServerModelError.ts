/** The model asked for is not one the server serves (`/v1/models`). */
export class ServerModelError extends Error {
    readonly url: string;
    readonly model: string;
    readonly served: string[];

    constructor(url: string, model: string, served: string[]) {
        super(`${url} does not serve a model named ${JSON.stringify(model)}; it serves ${served.length === 0 ? 'none' : served.map(s => JSON.stringify(s)).join(', ')}: `
            + 'pass one of those with --backend-model (or promptscope.backend model), or leave it out to use the server\'s only model.');
        this.name = 'ServerModelError';
        this.url = url;
        this.model = model;
        this.served = served;
    }
}
