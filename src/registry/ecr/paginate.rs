//! Following `nextToken` to the end, for every paginated ECR call. Kept apart from the SDK
//! so it can be tested with a scripted page source: the emulator never paginates.

use crate::registry::{Place, RegistryError};
use async_trait::async_trait;

/// One page of a paginated answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Something that answers "the page after `token`" (`None` is the first page).
#[async_trait]
pub trait PageSource: Send + Sync {
    type Item: Send;
    async fn page(&self, token: Option<String>) -> Result<Page<Self::Item>, RegistryError>;
    /// Where errors about the pagination itself are reported.
    fn place(&self) -> Place;
}

/// Every item of every page, in order, and the number of pages it took. A token that
/// comes back a second time would loop forever; it is reported as a malformed answer.
pub async fn collect_pages<S: PageSource>(src: &S) -> Result<(Vec<S::Item>, usize), RegistryError> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    let mut pages = 0usize;
    loop {
        let page = src.page(token.take()).await?;
        pages += 1;
        items.extend(page.items);
        match page.next_token.filter(|t| !t.is_empty()) {
            None => return Ok((items, pages)),
            Some(t) => {
                if !seen.insert(t.clone()) {
                    return Err(RegistryError::Malformed {
                        place: src.place(),
                        detail: format!("pagination token repeated after {pages} pages"),
                    });
                }
                token = Some(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Serves pages from a script and records which tokens it was asked for.
    struct Scripted {
        pages: Vec<(Option<&'static str>, Page<u32>)>,
        asked: Mutex<Vec<Option<String>>>,
    }

    #[async_trait]
    impl PageSource for Scripted {
        type Item = u32;
        async fn page(&self, token: Option<String>) -> Result<Page<u32>, RegistryError> {
            self.asked.lock().unwrap().push(token.clone());
            self.pages
                .iter()
                .find(|(t, _)| t.map(str::to_string) == token)
                .map(|(_, p)| p.clone())
                .ok_or_else(|| RegistryError::Other {
                    place: self.place(),
                    detail: format!("unexpected token {token:?}"),
                })
        }
        fn place(&self) -> Place {
            Place {
                registry: "scripted".into(),
                ..Place::default()
            }
        }
    }

    fn page(items: std::ops::Range<u32>, next: Option<&str>) -> Page<u32> {
        Page {
            items: items.collect(),
            next_token: next.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn follows_tokens_to_the_end_in_order() {
        let src = Scripted {
            pages: vec![
                (None, page(0..1000, Some("t1"))),
                (Some("t1"), page(1000..2000, Some("t2"))),
                (Some("t2"), page(2000..2500, None)),
            ],
            asked: Mutex::new(vec![]),
        };
        let (items, pages) = collect_pages(&src).await.unwrap();
        assert_eq!(pages, 3);
        assert_eq!(items, (0..2500).collect::<Vec<_>>());
        assert_eq!(
            *src.asked.lock().unwrap(),
            vec![None, Some("t1".into()), Some("t2".into())]
        );
    }

    #[tokio::test]
    async fn an_empty_token_ends_and_an_empty_page_is_not_the_end() {
        let src = Scripted {
            pages: vec![
                (None, page(0..0, Some("t1"))),
                (Some("t1"), page(0..3, Some(""))),
            ],
            asked: Mutex::new(vec![]),
        };
        let (items, pages) = collect_pages(&src).await.unwrap();
        assert_eq!((items.len(), pages), (3, 2));
    }

    #[tokio::test]
    async fn a_repeated_token_is_an_error_not_a_loop() {
        let src = Scripted {
            pages: vec![
                (None, page(0..2, Some("a"))),
                (Some("a"), page(2..4, Some("a"))),
            ],
            asked: Mutex::new(vec![]),
        };
        let err = collect_pages(&src).await.unwrap_err();
        assert!(matches!(err, RegistryError::Malformed { .. }), "{err}");
    }

    #[tokio::test]
    async fn an_error_on_a_later_page_is_returned() {
        let src = Scripted {
            pages: vec![(None, page(0..2, Some("missing")))],
            asked: Mutex::new(vec![]),
        };
        assert!(collect_pages(&src).await.is_err());
    }
}
