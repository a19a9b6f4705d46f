import { maxSeed } from '../../shared/limits';

/** A seed for a request that named none: any value llama.cpp accepts, reported back so the run can be repeated. */
export function randomSeed(): number {
    return Math.floor(Math.random() * (maxSeed + 1));
}
