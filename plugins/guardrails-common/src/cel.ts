import { celEnv, CelValue, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

// Kubernetes adds the CEL strings extension (cel-go ext.Strings, which @bufbuild/cel/ext also
// implements) to standard CEL. Its other libraries (lists, regex, url, ip, cidr, quantity,
// semver, authorizer, optional types, …) have no implementation here: an expression that uses
// them is reported as not checked, never guessed at.
const env = celEnv({ funcs: strings });

/** Operators the planner implements itself rather than through the function table. */
const PLANNER_CALLS = new Set([
  '_&&_',
  '_||_',
  '_?_:_',
  '_[_]',
  '@not_strictly_false',
]);

/**
 * Functions of Kubernetes' list library that share a name with a string function here: the
 * name resolves, the list overload does not exist, so a "no matching overload" for them is
 * this evaluator's gap rather than the policy's error.
 */
const KUBERNETES_LIST_OVERLOADS = new Set(['indexOf', 'lastIndexOf']);

/** The variables Kubernetes declares for admission policy expressions that are bound here. */
export const ADMISSION_VARIABLES = [
  'object',
  'oldObject',
  'params',
  'request',
  'namespaceObject',
  'variables',
] as const;

export type Compiled =
  | {
      ok: true;
      source: string;
      /** The `variables.<name>` this expression reads. */
      variables: Set<string>;
      run: (bindings: Record<string, unknown>) => Evaluated;
    }
  | { ok: false; source: string; unsupported: string };

export type Evaluated =
  | { ok: true; value: CelValue }
  | { ok: false; error: string; unsupported?: boolean };

type Expr = { exprKind: { case?: string; value?: any } };

function walk(expr: Expr | undefined, visit: (e: Expr) => void): void {
  if (!expr?.exprKind) return;
  visit(expr);
  const { case: kind, value } = expr.exprKind;
  switch (kind) {
    case 'callExpr':
      walk(value.target, visit);
      value.args.forEach((a: Expr) => walk(a, visit));
      break;
    case 'selectExpr':
      walk(value.operand, visit);
      break;
    case 'listExpr':
      value.elements.forEach((e: Expr) => walk(e, visit));
      break;
    case 'structExpr':
      for (const entry of value.entries) {
        if (entry.keyKind?.case === 'mapKey') walk(entry.keyKind.value, visit);
        walk(entry.value, visit);
      }
      break;
    case 'comprehensionExpr':
      for (const f of [
        'iterRange',
        'accuInit',
        'loopCondition',
        'loopStep',
        'result',
      ]) {
        walk(value[f], visit);
      }
      break;
    default:
  }
}

function identName(e: Expr | undefined): string | undefined {
  return e?.exprKind.case === 'identExpr' ? e.exprKind.value.name : undefined;
}

/** Why this evaluator cannot run an expression Kubernetes can, or undefined when it can. */
function unsupportedFeatures(root: Expr): string | undefined {
  const problems = new Set<string>();
  const declared = new Set<string>(ADMISSION_VARIABLES);
  walk(root, e => {
    if (e.exprKind.case === 'comprehensionExpr') {
      declared.add(e.exprKind.value.iterVar);
      if (e.exprKind.value.iterVar2) declared.add(e.exprKind.value.iterVar2);
      declared.add(e.exprKind.value.accuVar);
    }
  });
  walk(root, e => {
    const { case: kind, value } = e.exprKind;
    if (kind === 'callExpr') {
      const name: string = value.function;
      if (!PLANNER_CALLS.has(name) && !env.funcs.find(name)) {
        problems.add(`the function ${name}()`);
      }
    } else if (kind === 'identExpr' && !declared.has(value.name)) {
      problems.add(`the variable ${value.name}`);
    } else if (
      kind === 'selectExpr' &&
      identName(value.operand) === 'request' &&
      value.field === 'userInfo'
    ) {
      problems.add(
        'request.userInfo (who sends the request is known only in the cluster)',
      );
    }
  });
  if (problems.size === 0) return undefined;
  return `uses ${[...problems].join(
    ', ',
  )}, which the evaluator before commit does not implement`;
}

function readVariables(root: Expr): Set<string> {
  const names = new Set<string>();
  walk(root, e => {
    if (
      e.exprKind.case === 'selectExpr' &&
      identName(e.exprKind.value.operand) === 'variables'
    ) {
      names.add(e.exprKind.value.field);
    }
  });
  return names;
}

/** Parses and plans an expression once; tells what it uses that cannot run here. */
export function compile(source: string): Compiled {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (e) {
    return {
      ok: false,
      source,
      unsupported: `cannot be parsed here (Kubernetes' optional syntax ?. and [? is not implemented): ${
        (e as Error).message
      }`,
    };
  }
  const unsupported = unsupportedFeatures(parsed.expr as unknown as Expr);
  if (unsupported) return { ok: false, source, unsupported };
  const program = plan(env, parsed);
  return {
    ok: true,
    source,
    variables: readVariables(parsed.expr as unknown as Expr),
    run: bindings => {
      const value = program(bindings as any);
      if (!isCelError(value)) return { ok: true, value };
      const overload = /found no matching overload for '([^']+)'/.exec(
        value.message,
      );
      return {
        ok: false,
        error: value.message,
        unsupported: Boolean(
          overload && KUBERNETES_LIST_OVERLOADS.has(overload[1]),
        ),
      };
    },
  };
}

/**
 * A JSON value as Kubernetes hands it to CEL: whole numbers are CEL ints (the API's integer
 * fields), other numbers doubles.
 */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, toCel(v)]),
    );
  }
  return value;
}
