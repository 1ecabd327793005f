// Our own typed view of php-parser's AST. php-parser's types.d.ts says `kind: string`, so a
// misspelt kind would compile and never fire; here every kind is a literal and a visitor for
// `'asign'` is a type error.

export interface Loc {
  start: { line: number; column: number; offset: number };
  end: { line: number; column: number; offset: number };
}

interface Base<K extends string> {
  kind: K;
  loc: Loc | null;
  /** Set by the walk: the node that holds this one (undefined for the program). */
  parent?: PhpNode;
  leadingComments?: CommentNode[];
  /** Not kept exact by the editor's splices (engine/incremental-parse.ts): rules must not read them. */
  trailingComments?: CommentNode[];
}

type N = PhpNode;
type Maybe<T> = T | null;

export interface CommentNode extends Base<'commentline' | 'commentblock'> { value: string }

export interface Program extends Base<'program'> { children: N[]; errors: ErrorNode[]; comments: CommentNode[] | null }
export interface ErrorNode extends Base<'error'> { message: string; line: number; token: string; expected: unknown }

export interface Identifier extends Base<'identifier'> { name: string }
export interface Name extends Base<'name'> { name: string; resolution: string }
export interface TypeReference extends Base<'typereference'> { name: string; raw?: string }
export interface UnionType extends Base<'uniontype'> { types: N[] }
export interface IntersectionType extends Base<'intersectiontype'> { types: N[] }
export type SelfRef = Base<'selfreference'> & { raw?: string };
export type StaticRef = Base<'staticreference'> & { raw?: string };
export type ParentRef = Base<'parentreference'> & { raw?: string };

/** `byref` is set on `foreach (… as &$v)` values and `use (&$v)` captures. */
export interface Variable extends Base<'variable'> { name: string | N; curly: boolean; byref?: boolean }
export interface Assign extends Base<'assign'> { left: N; right: N; operator: string }
export interface AssignRef extends Base<'assignref'> { left: N; right: N }
export interface Bin extends Base<'bin'> { type: string; left: N; right: N }
export interface Unary extends Base<'unary'> { type: string; what: N }
export interface Cast extends Base<'cast'> { type: string; raw: string; expr: N }
export interface Pre extends Base<'pre'> { type: string; what: N }
export interface Post extends Base<'post'> { type: string; what: N }
export interface RetIf extends Base<'retif'> { test: N; trueExpr: Maybe<N>; falseExpr: N }
export interface Silent extends Base<'silent'> { expr: N }
export interface Call extends Base<'call'> { what: N; arguments: N[] }
export interface New extends Base<'new'> { what: N; arguments: N[] }
export interface Clone extends Base<'clone'> { what: N; properties?: Maybe<N> }
export interface PropertyLookup extends Base<'propertylookup'> { what: N; offset: N }
export interface NullsafePropertyLookup extends Base<'nullsafepropertylookup'> { what: N; offset: N }
export interface StaticLookup extends Base<'staticlookup'> { what: N; offset: N }
/** `offset` is false for an append (`$a[]`). */
export interface OffsetLookup extends Base<'offsetlookup'> { what: N; offset: N | false }
export interface ArrayNode extends Base<'array'> { items: N[]; shortForm: boolean }
export interface Entry extends Base<'entry'> { key: Maybe<N>; value: N; byRef: boolean; unpack: boolean }
export interface ListNode extends Base<'list'> { items: N[]; shortForm: boolean }
export interface Isset extends Base<'isset'> { variables: N[] }
export interface Empty extends Base<'empty'> { expression: N }
export interface Eval extends Base<'eval'> { source: N }
export interface Exit extends Base<'exit'> { expression: Maybe<N>; useDie: boolean }
export interface Include extends Base<'include'> { target: N; once: boolean; require: boolean }
export interface Print extends Base<'print'> { expression: N }
export interface Yield extends Base<'yield'> { value: Maybe<N>; key: Maybe<N> }
export interface YieldFrom extends Base<'yieldfrom'> { value: N }
export interface Match extends Base<'match'> { cond: N; arms: N[] }
export interface MatchArm extends Base<'matcharm'> { conds: Maybe<N[]>; body: N }
export interface NamedArgument extends Base<'namedargument'> { name: string; value: N }
export interface Variadic extends Base<'variadic'> { what: N }
export type VariadicPlaceholder = Base<'variadicplaceholder'>;
export interface ByRef extends Base<'byref'> { what: N }
export interface Encapsed extends Base<'encapsed'> { value: N[]; type: string; raw?: string }
export interface EncapsedPart extends Base<'encapsedpart'> { expression: N; syntax: string; curly: boolean }

export interface StringLit extends Base<'string'> { value: string; raw: string; isDoubleQuote: boolean }
export interface NumberLit extends Base<'number'> { value: string; raw?: string }
export interface BooleanLit extends Base<'boolean'> { value: boolean; raw: string }
export type NullKeyword = Base<'nullkeyword'> & { raw?: string };
export interface Nowdoc extends Base<'nowdoc'> { value: string; label: string; raw: string }
export interface Magic extends Base<'magic'> { value: string; raw: string }
export interface Inline extends Base<'inline'> { value: string; raw: string }
export interface Literal extends Base<'literal'> { value: unknown; raw: string }

export interface Parameter extends Base<'parameter'> {
  name: Maybe<Identifier>; type: Maybe<N>; value: Maybe<N>;
  byref: boolean; variadic: boolean; nullable: boolean; attrGroups: N[]; flags: number;
}
export interface FunctionDecl extends Base<'function'> {
  name: Identifier; arguments: Parameter[]; type: Maybe<N>; byref: boolean; nullable: boolean; body: Maybe<Block>; attrGroups: N[];
}
export interface Method extends Base<'method'> {
  name: Identifier; arguments: Parameter[]; type: Maybe<N>; byref: boolean; nullable: boolean; body: Maybe<Block>;
  attrGroups: N[]; isAbstract: boolean; isFinal: boolean; isStatic: boolean; visibility: string;
}
export interface Closure extends Base<'closure'> {
  arguments: Parameter[]; uses: N[]; type: Maybe<N>; byref: boolean; nullable: boolean; body: Maybe<Block>; isStatic: boolean; attrGroups: N[];
}
export interface ArrowFunc extends Base<'arrowfunc'> { arguments: Parameter[]; type: Maybe<N>; body: N; byref: boolean; isStatic: boolean }

export interface ClassDecl extends Base<'class'> {
  name: Maybe<Identifier>; extends: Maybe<N>; implements: Maybe<N[]>; body: N[];
  isAnonymous: boolean; isAbstract: boolean; isFinal: boolean; isReadonly: boolean; attrGroups: N[];
}
export interface InterfaceDecl extends Base<'interface'> { name: Identifier; extends: N[]; body: N[]; attrGroups: N[] }
export interface TraitDecl extends Base<'trait'> { name: Identifier; body: N[]; attrGroups: N[] }
export interface EnumDecl extends Base<'enum'> { name: Identifier; valueType: Maybe<N>; implements: N[]; body: N[]; attrGroups: N[] }
export interface EnumCase extends Base<'enumcase'> { name: N; value: Maybe<N> }
export interface PropertyStatement extends Base<'propertystatement'> {
  properties: Property[]; visibility: string | null; isStatic: boolean; isAbstract: boolean; isFinal: boolean;
}
export interface Property extends Base<'property'> {
  name: Identifier; value: Maybe<N>; readonly: boolean; nullable: boolean; type: Maybe<N>; attrGroups: N[]; hooks: N[];
}
export interface PropertyHook extends Base<'propertyhook'> { name: string; parameter: Maybe<N>; body: Maybe<N>; attrGroups: N[] }
export interface ClassConstant extends Base<'classconstant'> { constants: N[]; visibility: string; attrGroups: N[]; type: Maybe<N> }
export interface ConstantStatement extends Base<'constantstatement'> { constants: N[] }
export interface Constant extends Base<'constant'> { name: N | string; value: N | unknown }
export interface TraitUse extends Base<'traituse'> { traits: N[]; adaptations: Maybe<N[]> }
export interface TraitAlias extends Base<'traitalias'> { trait: Maybe<N>; method: N; as: Maybe<N>; visibility: string | null }
export interface TraitPrecedence extends Base<'traitprecedence'> { trait: Maybe<N>; method: N; instead: N[] }
export interface AttrGroup extends Base<'attrgroup'> { attrs: N[] }
export interface Attribute extends Base<'attribute'> { name: string; args: N[] }

export interface Block extends Base<'block'> { children: N[] }
export interface Namespace extends Base<'namespace'> { name: string; children: N[]; withBrackets: boolean }
export interface Declare extends Base<'declare'> { directives: N[]; children: N[]; mode: string }
export interface DeclareDirective extends Base<'declaredirective'> { key: N; value: N }
export interface ExpressionStatement extends Base<'expressionstatement'> { expression: N }
export interface Echo extends Base<'echo'> { expressions: N[]; shortForm: boolean }
export interface If extends Base<'if'> { test: N; body: Maybe<N>; alternate: Maybe<N>; shortForm: boolean }
export interface While extends Base<'while'> { test: N; body: Maybe<N>; shortForm: boolean }
export interface Do extends Base<'do'> { test: N; body: Maybe<N> }
export interface For extends Base<'for'> { init: N[]; test: N[]; increment: N[]; body: Maybe<N>; shortForm: boolean }
export interface Foreach extends Base<'foreach'> { source: N; key: Maybe<N>; value: N; body: Maybe<N>; shortForm: boolean }
export interface Switch extends Base<'switch'> { test: N; body: N; shortForm: boolean }
export interface Case extends Base<'case'> { test: Maybe<N>; body: Maybe<N> }
export interface Break extends Base<'break'> { level: Maybe<N> }
export interface Continue extends Base<'continue'> { level: Maybe<N> }
export interface Return extends Base<'return'> { expr: Maybe<N> }
export interface Throw extends Base<'throw'> { what: N }
export interface Try extends Base<'try'> { body: Block; catches: N[]; always: Maybe<Block> }
export interface Catch extends Base<'catch'> { what: N[]; variable: Maybe<N>; body: Block }
export interface Global extends Base<'global'> { items: N[] }
export interface Static extends Base<'static'> { variables: StaticVariable[] }
export interface StaticVariable extends Base<'staticvariable'> { variable: Variable; defaultValue: Maybe<N> }
export interface Unset extends Base<'unset'> { variables: N[] }
export interface Goto extends Base<'goto'> { label: N }
export interface Label extends Base<'label'> { name: N }
export interface Halt extends Base<'halt'> { after: string }
export interface UseGroup extends Base<'usegroup'> { name: string | null; type: string | null; items: N[] }
export interface UseItem extends Base<'useitem'> { name: string; type: string | null; alias: Maybe<N> }
export type Noop = Base<'noop'>;

export type PhpNode =
  | Program | ErrorNode | CommentNode | Identifier | Name | TypeReference | UnionType | IntersectionType
  | SelfRef | StaticRef | ParentRef | Variable | Assign | AssignRef | Bin | Unary | Cast | Pre | Post | RetIf
  | Silent | Call | New | Clone | PropertyLookup | NullsafePropertyLookup | StaticLookup | OffsetLookup
  | ArrayNode | Entry | ListNode | Isset | Empty | Eval | Exit | Include | Print | Yield | YieldFrom | Match
  | MatchArm | NamedArgument | Variadic | VariadicPlaceholder | ByRef | Encapsed | EncapsedPart | StringLit
  | NumberLit | BooleanLit | NullKeyword | Nowdoc | Magic | Inline | Literal | Parameter | FunctionDecl | Method
  | Closure | ArrowFunc | ClassDecl | InterfaceDecl | TraitDecl | EnumDecl | EnumCase | PropertyStatement
  | Property | PropertyHook | ClassConstant | ConstantStatement | Constant | TraitUse | TraitAlias
  | TraitPrecedence | AttrGroup | Attribute | Block | Namespace | Declare | DeclareDirective
  | ExpressionStatement | Echo | If | While | Do | For | Foreach | Switch | Case | Break | Continue | Return
  | Throw | Try | Catch | Global | Static | StaticVariable | Unset | Goto | Label | Halt | UseGroup | UseItem
  | Noop;

export type NodeKind = PhpNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<PhpNode, { kind: K }>;

export type FunctionLike = FunctionDecl | Method | Closure | ArrowFunc;
export type ClassLike = ClassDecl | InterfaceDecl | TraitDecl | EnumDecl;
export type Loop = While | Do | For | Foreach;

export const FUNCTION_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['function', 'method', 'closure', 'arrowfunc']);
export const CLASS_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['class', 'interface', 'trait', 'enum']);
export const LOOP_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['while', 'do', 'for', 'foreach']);

export function isKind<K extends NodeKind>(node: PhpNode | null | undefined | false, kind: K): node is NodeOf<K> {
  return !!node && node.kind === kind;
}
export function isFunctionLike(n: PhpNode | null | undefined): n is FunctionLike { return !!n && FUNCTION_KINDS.has(n.kind); }
export function isClassLike(n: PhpNode | null | undefined): n is ClassLike { return !!n && CLASS_KINDS.has(n.kind); }
export function isLoop(n: PhpNode | null | undefined): n is Loop { return !!n && LOOP_KINDS.has(n.kind); }
