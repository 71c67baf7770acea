import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api/client.ts';

export type ApiState<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ready'; data: T }
  | { status: 'failed'; error: Error; data?: T };

/** GETs a path and keeps the answer; `reload()` fetches it again, keeping the old data meanwhile. */
export function useApi<T>(path: string | undefined): ApiState<T> & { reload(): Promise<T | undefined> } {
  const [state, setState] = useState<ApiState<T>>({ status: 'loading' });
  const latest = useRef(path);
  latest.current = path;

  const load = useCallback(async () => {
    if (path === undefined) return undefined;
    setState((previous) => ({
      status: 'loading',
      ...(previous.data === undefined ? {} : { data: previous.data }),
    }));
    try {
      const data = await api.get<T>(path);
      if (latest.current === path) setState({ status: 'ready', data });
      return data;
    } catch (error) {
      if (latest.current === path)
        setState((previous) => ({
          status: 'failed',
          error: error instanceof Error ? error : new Error(String(error)),
          ...(previous.data === undefined ? {} : { data: previous.data }),
        }));
      return undefined;
    }
  }, [path]);

  useEffect(() => {
    setState({ status: 'loading' });
    void load();
  }, [load]);

  return { ...state, reload: load };
}

/** The current time, ticking every `intervalMs`: for live countdowns. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
