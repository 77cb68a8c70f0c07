import Foundation
import NKProtocol
import NKTestSupport

/// The search benchmark's corpus (issue 16): posts and notes in the words of the real dump, drawn from
/// a seeded generator so every run holds the same text.
///
/// ``BenchCorpus`` repeats one sentence, so every query would match every row or none. Here each
/// sentence is a subject (people in one of 30 places, one of 20 named people, one of 12 institutions),
/// one of 30 verbs, one of 60 objects and one of 50 circumstances; a note is one sentence, perhaps an
/// opener and a figure, and one or two of 50 tags; a post is twelve sentences. So at 100,000 notes a
/// given object or place is in a few thousand notes, two rare words together in about a hundred, and
/// the commonest word (`sanctions`, in several lists and a tag) in about a quarter of all notes. The
/// lists carry what search must fold: hyphenated names in two spellings, dotted and undotted acronyms,
/// curly apostrophes, inflected words for the stemmer.
struct SearchCorpus: Sendable {
    static let category = "Search bench"
    static let sentencesPerParagraph = 4
    static let paragraphsPerPost = 3

    let postCount: Int
    let noteCount: Int

    /// The replica's user: the author of every private note (the server sends no one else's).
    static let reader = "reader"
    static let authors = [reader, "ana", "boris", "chen", "dara", "eli", "farid", "gwen"]
    static let groups = ["seoul-desk", "trade-team", "leadership-watch"]

    /// Who does something: a group of people in a place, a named person (hyphenated names in two
    /// spellings) or an institution (dotted and undotted acronyms).
    static let crowds = [
        "Traders", "Customs officers", "Smugglers", "Farmers", "Market women", "Soldiers", "Money changers",
        "Fishermen", "Chinese brokers", "Miners", "Party officials", "Residents", "Police", "Railway workers",
        "Students", "Doctors",
    ]
    static let places = [
        "Dandong", "Sinuiju", "Hyesan", "Rason", "Pyongyang", "Kaesong", "Nampo", "Wonsan", "Chongjin", "Hamhung",
        "Hoeryong", "Musan", "Kanggye", "Haeju", "Sariwon", "Tanchon", "Kimchaek", "Manpo", "Onsong", "Yanji",
        "Hunchun", "Ji'an", "Changbai", "Namyang", "Kilju", "Pyongsong", "Anju", "Sunchon", "Unggi", "Heung-kwang",
    ]
    static let people = [
        "Kim Jong-un", "Kim Jong Un", "Jang Song-thaek", "Kim Yo-jong", "Choe Son-hui", "Ri Sol-ju", "Pak Pong-ju",
        "Hyon Song-wol", "Kim Tok-hun", "Jo Yong-won", "Ri Pyong-chol", "Pak Jong-chon", "Thae Yong-ho",
        "Kim Yong-chol", "Choe Ryong-hae", "O Su-yong", "Ri Il-hwan", "Kim Song-nam", "Ri Son-gwon",
        "Jang Song-thaek’s nephew",
    ]
    static let institutions = [
        "The D.P.R.K. foreign ministry", "The DPRK embassy in Beijing", "The U.N. panel of experts", "KCNA",
        "The U.S. Treasury", "The ROK unification ministry", "The WFP office", "Rodong Sinmun",
        "The KPA General Staff", "The Chinese customs bureau", "The I.A.E.A.", "The E.U. delegation",
    ]
    static let verbs = [
        "reported", "denied", "complained about", "sold", "smuggled", "raised", "cut", "hoarded", "inspected",
        "seized", "bargained over", "praised", "criticised", "tracked", "warned about", "paid bribes for",
        "stockpiled", "rationed", "exported", "imported", "confiscated", "priced", "hid", "traded", "queued for",
        "counted", "loaded", "taxed", "photographed", "recorded",
    ]
    static let objects = [
        "rice prices", "corn prices", "diesel", "sanctions on coal", "seafood exports", "winter coats",
        "rice cookers", "mobile phones", "the border fence", "fertiliser shipments", "hard currency",
        "Chinese yuan", "solar panels", "cigarettes", "the new sanctions", "ship-to-ship transfers",
        "electricity supplies", "textile orders", "the food ration", "hairdressing rules", "South Korean dramas",
        "USB sticks", "pork prices", "missile parts", "border passes", "the jangmadang stalls", "gold", "timber",
        "iron ore", "Jang Song-thaek’s old accounts", "bicycles", "cooking oil", "soybean paste", "medicine",
        "antibiotics", "televisions", "rabbit farms", "wigs", "eyelashes", "squid catches", "coal briquettes",
        "cement", "steel rods", "tractor parts", "sugar", "flour", "potatoes", "salt", "cigarette filters",
        "lottery tickets", "taxi licences", "railway tickets", "batteries", "radios", "copper wire", "ginseng",
        "mushrooms", "herbs", "school uniforms", "shoes",
    ]
    static let circumstances = [
        "at the Dandong wholesale market", "after the party plenum", "before the spring planting",
        "despite new U.N. sanctions", "along the Yalu river", "near the Heung-kwang mine",
        "during the border closure", "in the week before the holiday", "according to Daily NK",
        "as the won fell again", "under the new inspection teams", "for the third month running",
        "while the envoy was in Beijing", "ahead of the party congress", "as defectors described it",
        "in defiance of the D.P.R.K.’s ban", "at night, by the rail bridge", "with help from local police",
        "after the flood in Sinuiju", "as the U.S. tightened sanctions", "before the harvest", "after the typhoon",
        "during the mobilisation campaign", "on the eve of the anniversary", "behind the railway station",
        "in the Tumen valley", "on the Chinese side", "at the district office", "during the power cuts",
        "without a permit", "with forged papers", "under cover of a wedding", "in the state shops",
        "at the collective farm", "near the Sino-Korean Friendship Bridge", "in the fishing port",
        "despite the curfew", "as the drought went on", "after a crackdown", "on credit", "for cash only",
        "through a relative in China", "before the inspection", "in the apartment blocks", "at the school gate",
        "on the coast road", "in sealed containers", "after the new currency rules", "on the black market",
        "in small lots",
    ]
    static let openers = [
        "Compare with the customs figures:", "Contradicts the KCNA account:", "A second source says",
        "Check this:", "Useful for the trade chapter.", "Follow up with the Seoul desk.",
        "Translation unclear here;", "Same pattern as last year:", "Possible sanctions evasion:", "Note the date:",
        "Matches what the defector told us:", "", "", "", "",
    ]
    static let tags = [
        "trade", "sanctions", "prices", "border", "leadership", "food", "energy", "smuggling", "markets",
        "defectors", "military", "diplomacy", "China", "UN", "Kim Jong-un", "rice", "currency", "fishing",
        "mining", "transport", "to-check", "translation", "chapter-3", "chapter-4", "follow-up", "Sanctions",
        "health", "education", "agriculture", "construction", "religion", "media", "labour", "weather",
        "corruption", "crime", "finance", "family", "housing", "elections", "nuclear", "missiles", "shipping",
        "rail", "oil", "coal", "textiles", "seafood", "Rason", "Sinuiju",
    ]
    static let sources = ["Reuters", "AFP", "Yonhap", "Daily NK", "NK News", "KCNA", "Asia Press", "AP"]

    /// 1 January 2019, the first post's earliest day; posts span six years, notes five from 2020.
    static let firstDay = Date(timeIntervalSince1970: 1_546_300_800)
    static let firstNote = Date(timeIntervalSince1970: 1_577_836_800)

    /// One generated post, with the Unicode-scalar range of each sentence of its ``Post/text``.
    struct GeneratedPost {
        var post: Post
        var sentences: [Range<Int>]
    }

    /// Post `index`.
    func post(_ index: Int) -> GeneratedPost {
        var random = SeededRandom(seed: 16_000_000 + UInt64(index))
        var paragraphs: [String] = []
        var sentences: [Range<Int>] = []
        var offset = 0
        for _ in 0..<Self.paragraphsPerPost {
            var paragraph = ""
            for number in 0..<Self.sentencesPerParagraph {
                if number > 0 { paragraph += " " }
                let sentence = Self.sentence(&random)
                let start = offset + paragraph.unicodeScalars.count
                paragraph += sentence
                sentences.append(start..<(start + sentence.unicodeScalars.count))
            }
            paragraphs.append(paragraph)
            offset += paragraph.unicodeScalars.count + 2  // the blank line between paragraphs
        }
        let day = Self.firstDay.addingTimeInterval(Double(random.next() % 2_190) * 86_400)
        let title =
            "\(Self.pick(Self.places, &random)): \(Self.pick(Self.objects, &random)) "
            + "\(Self.pick(Self.circumstances, &random)) (report \(index + 1))"
        let post = Post(
            title: title, body: paragraphs, category: Self.category, source: Self.pick(Self.sources, &random),
            author: "Bench desk", date: Self.byline(day))
        return GeneratedPost(post: post, sentences: sentences)
    }

    /// Note `index`, on one sentence of one post (`posts` is how that post was generated).
    func note(_ index: Int, on generated: GeneratedPost, id: AnnotationID) -> Annotation {
        var random = SeededRandom(seed: 17_000_000 + UInt64(index))
        let opener = Self.pick(Self.openers, &random)
        var text = (opener.isEmpty ? "" : opener + " ") + Self.sentence(&random)
        if random.next() % 4 == 0 { text += " Up \(random.next() % 40 + 2) percent since week \(index % 52 + 1)." }
        let author = Self.authors[Int(random.next() % UInt64(Self.authors.count))]
        // A fifth of the reader's notes private, a fifth of everyone's in a group.
        let roll = random.next() % 10
        let visibility: Visibility =
            roll < 2 && author == Self.reader
            ? .private : (2..<4).contains(roll) ? .group(Self.pick(Self.groups, &random)) : .shared
        let tags = (0..<Int(random.next() % 2 + 1)).map { _ in Self.pick(Self.tags, &random) }
        let sentence = generated.sentences[Int(random.next() % UInt64(generated.sentences.count))]
        let created = Self.firstNote.addingTimeInterval(Double(random.next() % (5 * 365 * 86_400)))
        return Annotation(
            id: id, postId: generated.post.id, anchor: Self.anchor(sentence, in: generated.post.text), note: text,
            tags: tags, visibility: visibility, author: author, createdAt: created, updatedAt: created)
    }

    /// The post note `index` is on.
    func postIndex(ofNote index: Int) -> Int { (index &* 7_919) % postCount }

    /// The anchor of the passage `range` (Unicode scalars) of `text`, as `Anchor.locate` makes it
    /// (without searching: the generator knows where each sentence is).
    static func anchor(_ range: Range<Int>, in text: String) -> Anchor {
        let scalars = Array(text.unicodeScalars)
        func string(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        let before = max(0, range.lowerBound - Anchor.contextLength)
        let after = min(scalars.count, range.upperBound + Anchor.contextLength)
        return Anchor(
            exact: string(range), prefix: string(before..<range.lowerBound), suffix: string(range.upperBound..<after),
            start: range.lowerBound, end: range.upperBound)
    }

    static func sentence(_ random: inout SeededRandom) -> String {
        let subject: String
        switch random.next() % 10 {
        case 0..<5: subject = "\(pick(crowds, &random)) in \(pick(places, &random))"
        case 5..<8: subject = pick(people, &random)
        default: subject = pick(institutions, &random)
        }
        return "\(subject) \(pick(verbs, &random)) \(pick(objects, &random)) \(pick(circumstances, &random))."
    }

    static func pick(_ list: [String], _ random: inout SeededRandom) -> String {
        list[Int(random.next() % UInt64(list.count))]
    }

    /// A byline day as the dump writes it: `12 March 2024`.
    static func byline(_ day: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return "\(parts.day ?? 1) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 2019)"
    }

    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
}
