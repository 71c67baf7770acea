/** A binary min-heap: `before(a, b)` is true when `a` comes out first. */
export type MinHeap<T> = {
  push(item: T): void;
  peek(): T | undefined;
  pop(): T | undefined;
  /** Restores the order after the first item's key changed (cheaper than pop and push). */
  update(): void;
};

export function createMinHeap<T>(before: (a: T, b: T) => boolean): MinHeap<T> {
  const items: T[] = [];
  const swap = (i: number, j: number) => {
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
  };
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < items.length && before(items[left] as T, items[first] as T)) first = left;
      if (right < items.length && before(items[right] as T, items[first] as T)) first = right;
      if (first === i) return;
      swap(i, first);
      i = first;
    }
  };
  return {
    push(item) {
      items.push(item);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!before(items[i] as T, items[parent] as T)) break;
        swap(i, parent);
        i = parent;
      }
    },
    peek: () => items[0],
    pop() {
      const top = items[0];
      const last = items.pop();
      if (last !== undefined && items.length > 0) {
        items[0] = last;
        siftDown(0);
      }
      return top;
    },
    update: () => siftDown(0),
  };
}
