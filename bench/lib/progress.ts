/** A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10 % otherwise). */
export interface ProgressBar {
  update(done: number): void;
  done(): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  let lastDraw = 0;
  const render = (done: number) => {
    const fraction = total === 0 ? 1 : done / total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (performance.now() - started) / 1000;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${seconds.toFixed(1)} s`;
  };
  return {
    update(done) {
      if (tty) {
        const t = performance.now();
        if (t - lastDraw < 100 && done < total) return;
        lastDraw = t;
        stream.write(`\r${render(done)}`);
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${render(done)}\n`);
      }
    },
    done() {
      if (tty) stream.write(`\r${render(total)}\n`);
      else if (lastDecile !== 10) stream.write(`${render(total)}\n`);
    },
  };
}
