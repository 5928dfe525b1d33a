import type { AnyMiddlewareArgs, App } from '@slack/bolt';

/**
 * What the listener modules register their listeners on: Bolt's own methods, with Bolt's own
 * signatures, so a module reads as if it registered on the App.
 */
export type SlackListeners = Pick<App, 'command' | 'action' | 'view' | 'options' | 'shortcut' | 'event' | 'function'>;

type Kind = 'action' | 'view' | 'options';
type Listener = (args: AnyMiddlewareArgs) => unknown;

/**
 * The id a plain registration names: `'id'` or `{ action_id: 'id' }`; for a view, `'id'` or
 * `{ callback_id: 'id', type: 'view_submission' }` (Bolt reads a string as a submission's id, and
 * an object without a type as any view's, closed ones too: that one goes to Bolt as it is).
 */
function plainId(kind: Kind, idOrConstraints: unknown): string | undefined {
  if (typeof idOrConstraints === 'string') return idOrConstraints;
  if (typeof idOrConstraints !== 'object' || idOrConstraints === null) return undefined;
  const constraints = idOrConstraints as Record<string, unknown>;
  const keys = Object.keys(constraints);
  const id = kind === 'view' ? constraints['callback_id'] : constraints['action_id'];
  if (typeof id !== 'string') return undefined;
  if (kind !== 'view') return keys.length === 1 ? id : undefined;
  return keys.length === 2 && constraints['type'] === 'view_submission' ? id : undefined;
}

/** The id an incoming payload carries for `kind`, as Bolt matches it. */
function incomingId(kind: Kind, args: AnyMiddlewareArgs): unknown {
  if (kind === 'view') return (args.body as { view?: { callback_id?: unknown } }).view?.callback_id;
  return (args.payload as { action_id?: unknown }).action_id;
}

function exactly(ids: Iterable<string>): RegExp {
  const escaped = [...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

/**
 * Registers the listeners `register` adds, with Bolt holding one listener per kind of interaction
 * (actions, view submissions, options) that routes by id. Bolt runs every listener's middleware for
 * every request it gets, a slash command included: about 7 µs a listener (a micro-benchmark of
 * `processEvent`), and the bot had 21. A registration with more than an id (a block_id, a
 * RegExp, several middleware functions) goes to Bolt as it is. Commands, shortcuts, events and
 * workflow steps are one listener each already and go to Bolt as they are. An id registered
 * twice for one kind is a mistake, said at start.
 */
export function registerRouted(app: App, register: (listeners: SlackListeners) => void): void {
  const tables: Record<Kind, Map<string, Listener>> = { action: new Map(), view: new Map(), options: new Map() };
  const routed =
    (kind: Kind, direct: (...args: unknown[]) => unknown) =>
    (idOrConstraints: unknown, ...listeners: unknown[]): void => {
      const id = plainId(kind, idOrConstraints);
      const [listener] = listeners;
      if (id === undefined || listeners.length !== 1 || typeof listener !== 'function') {
        direct(idOrConstraints, ...listeners);
        return;
      }
      if (tables[kind].has(id)) throw new Error(`two ${kind} listeners for "${id}"`);
      tables[kind].set(id, listener as Listener);
    };
  register({
    command: app.command.bind(app),
    shortcut: app.shortcut.bind(app),
    event: app.event.bind(app),
    function: app.function.bind(app),
    action: routed('action', app.action.bind(app) as (...args: unknown[]) => unknown),
    view: routed('view', app.view.bind(app) as (...args: unknown[]) => unknown),
    options: routed('options', app.options.bind(app) as (...args: unknown[]) => unknown),
  });
  const route =
    (kind: Kind) =>
    async (args: AnyMiddlewareArgs): Promise<void> => {
      const id = incomingId(kind, args);
      // The RegExp Bolt matched holds only registered ids.
      const listener = typeof id === 'string' ? tables[kind].get(id) : undefined;
      await listener?.(args);
    };
  if (tables.action.size > 0) app.action(exactly(tables.action.keys()), route('action'));
  if (tables.view.size > 0) app.view(exactly(tables.view.keys()), route('view'));
  if (tables.options.size > 0) app.options(exactly(tables.options.keys()), route('options'));
}
