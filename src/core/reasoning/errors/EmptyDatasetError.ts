/** Scoring was asked for no rows at all: an accuracy over nothing would be a made-up number. */
export class EmptyDatasetError extends Error {
    constructor(detail = 'there are no rows to score.') {
        super(`Empty dataset: ${detail}`);
        this.name = 'EmptyDatasetError';
    }
}
