/**
 * Group commit: requests that arrive together share one store transaction, and each caller's promise
 * settles only after that transaction committed. Nothing waits on a timer: the first request of a quiet
 * moment goes at the end of the current event-loop turn (alone, unless others arrived in the same turn),
 * and everything that arrives while a commit runs goes together in the next one.
 */

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private scheduled = false;
  private committing = false;

  /**
   * @param commit stores every item in one transaction and returns one result per item, in order.
   * @param maxItems items per commit at most, so one transaction stays short.
   */
  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly maxItems = 500,
  ) {}

  /** Resolves with this item's result once the transaction that carried it committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.scheduled && !this.committing) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    this.committing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxItems);
        await this.commitGroup(group);
      }
    } finally {
      this.committing = false;
    }
  }

  private async commitGroup(group: Array<Waiting<T, R>>): Promise<void> {
    try {
      const results = await this.commit(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i] as R));
    } catch (e) {
      if (group.length === 1) {
        group[0]?.reject(e);
        return;
      }
      // One item's failure must not fail the others: each goes again alone and gets its own answer.
      for (const w of group) await this.commitGroup([w]);
    }
  }
}
