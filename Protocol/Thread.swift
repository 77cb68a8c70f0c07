import Foundation

/// Orders annotations into threads: each note, then the replies to it (and to them), depth first.
public enum AnnotationThreads {
    /// An item in thread order.
    public struct Threaded<Item> {
        public var item: Item
        /// 0 for a note, 1 for a reply to it, and so on.
        public var depth: Int
        /// A reply whose parent is not among the items (deleted, not readable here, or left out).
        public var parentMissing: Bool
    }

    /// The items in thread order.
    ///
    /// Notes keep the order given; the replies to each follow it, oldest first (creation time, then
    /// id), each reply's own replies after it. Items that share an annotation id (the versions of an
    /// annotation in conflict) stay together, in the order given. A reply whose parent is not among
    /// the items stands where a note would, at depth 0, marked ``Threaded/parentMissing``, so nothing
    /// is dropped; so do replies in a cycle, which no honest client writes but a server may send.
    public static func ordered<Item>(_ items: [Item], annotation: (Item) -> Annotation) -> [Threaded<Item>] {
        ordered(
            items, id: { annotation($0).id }, replyTo: { annotation($0).replyTo }, created: { annotation($0).createdAt }
        )
    }

    /// ``ordered(_:annotation:)`` for items that are not annotations but know their id, the id they
    /// answer and when they were created.
    public static func ordered<Item>(
        _ items: [Item], id: (Item) -> AnnotationID, replyTo: (Item) -> AnnotationID?, created: (Item) -> Date
    ) -> [Threaded<Item>] {
        // The items grouped by annotation id, groups in the order of their first item.
        var groups: [[Item]] = []
        var groupOf: [AnnotationID: Int] = [:]
        for item in items {
            let id = id(item)
            if let index = groupOf[id] {
                groups[index].append(item)
            } else {
                groupOf[id] = groups.count
                groups.append([item])
            }
        }
        let parents = groups.map { replyTo($0[0]) }
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        for (index, parent) in parents.enumerated() {
            if let parent, let parentIndex = groupOf[parent], parentIndex != index {
                children[parentIndex, default: []].append(index)
            } else {
                roots.append(index)
            }
        }
        for key in children.keys {
            children[key]?.sort {
                let (lhs, rhs) = (groups[$0][0], groups[$1][0])
                if created(lhs) != created(rhs) { return created(lhs) < created(rhs) }
                return id(lhs) < id(rhs)
            }
        }
        var result: [Threaded<Item>] = []
        var placed = Set<Int>()
        func visit(_ index: Int, depth: Int, parentMissing: Bool) {
            guard placed.insert(index).inserted else { return }
            for item in groups[index] {
                result.append(Threaded(item: item, depth: depth, parentMissing: parentMissing))
            }
            for child in children[index] ?? [] { visit(child, depth: depth + 1, parentMissing: false) }
        }
        for root in roots { visit(root, depth: 0, parentMissing: parents[root] != nil) }
        for index in groups.indices where !placed.contains(index) { visit(index, depth: 0, parentMissing: true) }
        return result
    }
}
