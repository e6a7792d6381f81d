/** Pure path helpers the rules share. */

/** An absolute path with `.`, `..` and repeated slashes resolved (`/tank/../etc/` → `/etc`). */
export function normalizeHostPath(path: string): string {
    const parts: string[] = [];
    for (const part of path.split("/")) {
        if (part === "" || part === ".") continue;
        if (part === "..") parts.pop();
        else parts.push(part);
    }
    return `/${parts.join("/")}`;
}
