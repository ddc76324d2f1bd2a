/**
 * Neumaier-compensated float64 summation: the reduced loss then carries an error of a few ulps
 * whatever the length or the order of the elements, where a naive sum drifts with the length.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    // An infinite term makes the compensation NaN; the plain sum is then the right answer.
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }
}
