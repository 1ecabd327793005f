/**
 * A static registry of objects by their own id that only its `flush()` empties: reported by
 * unbounded-cache unless another linted file calls `SnippetStack::flush()` (the cross-file tests).
 */
export const SNIPPET_STACK = `<?php
namespace App\\View;

class SnippetStack
{
    protected static array $pending = [];

    public static function push(Snippet $snippet): void
    {
        static::$pending[$snippet->getId()] = $snippet;
    }

    public static function flush(): void
    {
        static::$pending = [];
    }
}
`;
