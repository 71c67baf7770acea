import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useSession } from '../../session/session-context.tsx';

/**
 * Sends the week's brief to the webhooks subscribed to it (admins and managers: `reports:close`);
 * the message links back to this page.
 */
export function SendBrief({ week }: { week: string }) {
  const session = useSession();
  const [state, setState] = useState<{ status: 'idle' | 'sending' | 'sent' | 'failed'; message?: string }>({
    status: 'idle',
  });
  if (session.user.role !== 'admin' && session.user.role !== 'manager') return null;
  return (
    <>
      <button
        type="button"
        className="button button-primary"
        disabled={state.status === 'sending'}
        onClick={async () => {
          if (!window.confirm(`Send the brief of ${week} to everyone who receives it?`)) return;
          setState({ status: 'sending' });
          try {
            const sent = await api.post<{ deliveries: number }>('/api/v1/brief/send', { week });
            setState({
              status: 'sent',
              message:
                sent.deliveries === 0
                  ? 'No receiver subscribes to the weekly brief yet (add a webhook for weekly-brief).'
                  : `Sent to ${sent.deliveries} receiver${sent.deliveries === 1 ? '' : 's'}.`,
            });
          } catch (error) {
            setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
          }
        }}
      >
        {state.status === 'sending' ? 'Sending…' : 'Send'}
      </button>
      {state.message && (
        <span className={state.status === 'sent' ? 'form-success small' : 'form-error small'} role="status">
          {state.message}
        </span>
      )}
    </>
  );
}
