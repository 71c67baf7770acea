import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../app-error.ts';
import { sessionCookieName, sessionLifetimeMs } from '../../auth/session-tokens.ts';
import { createSignInThrottle } from '../../auth/sign-in-throttle.ts';
import type { Deps } from '../../deps.ts';
import { signIn } from '../../use-cases/sessions/sign-in.ts';
import { signOut } from '../../use-cases/sessions/sign-out.ts';
import { userRoles } from '../../use-cases/users/create-user.ts';
import { getWorkspace } from '../../use-cases/workspaces/get-workspace.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { authErrors, invalid, notFound } from './common.ts';

/**
 * Dashboard sign-in. POST /api/v1/session is public (mounted before authentication); it sets an
 * HttpOnly, SameSite=Strict cookie and answers the CSRF token the dashboard echoes in
 * `X-CSRF-Token` on every state-changing request. Failed sign-ins are limited per e-mail and
 * client address.
 */
const sessionUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(userRoles),
    repId: z.string().nullable().openapi({ description: 'The agreement rep this user is: their queue.' }),
  })
  .openapi('SessionUser');

const sessionSchema = z
  .object({
    user: sessionUserSchema,
    workspace: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    csrfToken: z.string().openapi({ description: 'Send it as X-CSRF-Token on POST, PUT, PATCH and DELETE.' }),
    expiresAt: z.string().datetime(),
  })
  .openapi('Session');

const errorContent = {
  'application/json': {
    schema: z.object({
      error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
    }),
  },
};

const signInRoute = createRoute({
  method: 'post',
  path: '/api/v1/session',
  tags: ['sessions'],
  summary: 'Sign in to the dashboard with an e-mail and password; sets the session cookie.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              email: z.string().min(1).max(320),
              password: z.string().min(1).max(200),
              workspace: z
                .string()
                .min(1)
                .max(100)
                .optional()
                .openapi({ description: "The workspace's slug, when the e-mail signs in to several." }),
            })
            .openapi('SignIn'),
        },
      },
    },
  },
  responses: {
    200: { description: 'Signed in.', content: { 'application/json': { schema: sessionSchema } } },
    ...invalid,
    401: { description: 'The e-mail or the password is wrong.', content: errorContent },
    429: { description: 'Too many failed sign-ins from here for this e-mail.', content: errorContent },
  },
});

const currentRoute = createRoute({
  method: 'get',
  path: '/api/v1/session',
  tags: ['sessions'],
  summary: 'The signed-in user, their workspace and the CSRF token.',
  responses: {
    200: { description: 'The session.', content: { 'application/json': { schema: sessionSchema } } },
    ...authErrors,
    ...notFound,
  },
});

const signOutRoute = createRoute({
  method: 'delete',
  path: '/api/v1/session',
  tags: ['sessions'],
  summary: 'Sign out: revokes the session and clears the cookie.',
  responses: { 204: { description: 'Signed out.' }, ...authErrors },
});

const failureWindowMs = 15 * 60 * 1000;
const maxFailures = 10;

/** The public sign-in route. */
export function signInRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  const throttle = createSignInThrottle({
    maxFailures,
    windowMs: failureWindowMs,
    clock: () => deps.clock().getTime(),
  });
  return new OpenAPIHono<AppEnv>().openapi(signInRoute, async (c) => {
    const body = c.req.valid('json');
    const key = `${body.email.trim().toLowerCase()}|${clientAddressOf(c)}`;
    const retryAfterSeconds = throttle.retryAfterSeconds(key);
    if (retryAfterSeconds > 0) {
      throw new AppError('RATE_LIMITED', {
        message: `Too many failed sign-ins; try again in ${Math.ceil(retryAfterSeconds / 60)} min.`,
        details: { retryAfterSeconds },
      });
    }
    let signedIn: Awaited<ReturnType<typeof signIn>>;
    try {
      signedIn = await signIn(
        { email: body.email, password: body.password, workspace: body.workspace },
        deps,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'UNAUTHORIZED') throttle.recordFailure(key);
      throw error;
    }
    throttle.recordSuccess(key);
    setCookie(c, sessionCookieName, signedIn.token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      path: '/',
      maxAge: Math.floor(sessionLifetimeMs / 1000),
    });
    const workspace = await getWorkspace({ workspaceId: signedIn.workspace.id }, deps);
    return c.json(
      {
        user: signedIn.user,
        workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
        csrfToken: signedIn.csrfToken,
        expiresAt: signedIn.expiresAt.toISOString(),
      },
      200,
    );
  });
}

/** The session's own routes (behind authentication). */
export function sessionRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(currentRoute, async (c) => {
      const principal = getPrincipal(c);
      const session = c.get('session');
      if (!session || !principal.user || principal.role === 'ingest') {
        throw new AppError('NOT_FOUND', { message: 'This request carries an API key, not a session.' });
      }
      const workspace = await getWorkspace({ workspaceId: principal.workspaceId }, deps);
      return c.json(
        {
          user: { ...principal.user, role: principal.role },
          workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
          csrfToken: session.csrfToken,
          expiresAt: session.expiresAt.toISOString(),
        },
        200,
      );
    })
    .openapi(signOutRoute, async (c) => {
      const session = c.get('session');
      if (session) await signOut({ token: session.token }, deps);
      deleteCookie(c, sessionCookieName, { path: '/', secure: isHttps(c) });
      return c.body(null, 204);
    });
}

/** The request reached us over https, or a proxy in front says it did. */
function isHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

function clientAddressOf(c: Context<AppEnv>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
