// Re-reading a daemon's state when events say it changed: at most one read in flight;
// calls made during a read ask for one more read after it, however many they were.

/** Returns the trigger; `read` errors go to `onError` (the trigger itself never throws). */
export function oneAtATime(read: () => Promise<void>, onError: (err: Error) => void): () => Promise<void> {
  let reading = false;
  let again = false;
  return async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        await read();
      } while (again);
    } catch (err) {
      onError(err as Error);
    } finally {
      reading = false;
    }
  };
}
