import { el } from '../shared/dom';
import { matrixPixels } from './colorMap';
import type { ContrastScale, HeadChoice } from '../../shared/protocols/attention';
import { thumbnailLayout } from './thumbnailLayout';

export interface Thumbnail {
    choice: HeadChoice;
    label: string;
    matrix: readonly (readonly number[])[];
}

/** "All heads": one small map per head (and the mean), as buttons, so Tab and Enter pick a head as a click does. */
export class HeadThumbnails {
    readonly element = el('div', { className: 'thumbnails', attrs: { role: 'group', 'aria-label': 'All heads of the layer' } });

    constructor(private readonly onPick: (choice: HeadChoice) => void) {}

    render(thumbnails: readonly Thumbnail[], contrast: ContrastScale, selected: HeadChoice, availableWidth: number): void {
        const layout = thumbnailLayout(thumbnails.length, availableWidth);
        this.element.style.gridTemplateColumns = `repeat(${layout.columns}, ${layout.size}px)`;
        this.element.replaceChildren(...thumbnails.map(t => {
            const n = t.matrix.length;
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = Math.max(1, n);
            canvas.style.width = canvas.style.height = `${layout.size}px`;
            const ctx = canvas.getContext('2d');
            if (ctx !== null && n > 0) {
                const image = ctx.createImageData(n, n);
                matrixPixels(t.matrix, contrast, image.data);
                ctx.putImageData(image, 0, 0);
            }
            const button = el('button', { className: 'thumbnail secondary', title: `Show ${t.label}`, attrs: { 'aria-pressed': String(t.choice === selected) } },
                canvas, el('span', { text: t.label }));
            button.addEventListener('click', () => this.onPick(t.choice));
            return button;
        }));
    }
}
