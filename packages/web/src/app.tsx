import { useEffect, useState } from 'react';

type Health = { status: string; version: string };

/** The dashboard shell. Pages arrive with the dashboard issue; today it shows the server's health. */
export function App() {
  const [health, setHealth] = useState<Health | undefined>();
  const [failure, setFailure] = useState<string | undefined>();

  useEffect(() => {
    fetch('/healthz')
      .then(async (response) => {
        if (!response.ok) throw new Error(`health check answered ${response.status}`);
        setHealth((await response.json()) as Health);
      })
      .catch((error: unknown) => setFailure(String(error)));
  }, []);

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', margin: '3rem auto', maxWidth: '40rem' }}>
      <h1>Smarketing</h1>
      <p>One language and one set of numbers for sales and marketing.</p>
      {health && (
        <p>
          Server {health.status}, version {health.version}. The API is described at{' '}
          <a href="/openapi.json">/openapi.json</a>.
        </p>
      )}
      {failure && <p role="alert">The server could not be reached: {failure}</p>}
    </main>
  );
}
